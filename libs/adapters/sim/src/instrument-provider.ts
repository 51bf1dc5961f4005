import { InstrumentMap, instrumentKey, type Instrument, type InstrumentId } from '@ttquant/domain';
import { UnknownInstrumentError, type InstrumentProvider } from '@ttquant/gateway-api';

/** The simulated venue's instruments, from configuration; all of them are loaded from the start. */
export class SimInstrumentProvider implements InstrumentProvider {
  private readonly byId = new InstrumentMap<Instrument>();
  private readonly bySymbol = new Map<string, Instrument>();

  constructor(
    readonly venue: string,
    instruments: readonly Instrument[],
  ) {
    for (const instrument of instruments) {
      this.byId.set(instrument.id, instrument);
      this.bySymbol.set(instrument.id.symbol, instrument);
    }
  }

  async load(ids?: readonly InstrumentId[]): Promise<readonly Instrument[]> {
    return ids === undefined ? this.all() : ids.map((id) => this.get(id));
  }

  get(id: InstrumentId): Instrument {
    const instrument = this.byId.get(id);
    if (!instrument) {
      throw new UnknownInstrumentError(`expected an instrument listed on ${this.venue}, was ${instrumentKey(id)}`);
    }
    return instrument;
  }

  find(symbol: string): Instrument | undefined {
    return this.bySymbol.get(symbol);
  }

  all(): readonly Instrument[] {
    return [...this.byId.values()];
  }
}
