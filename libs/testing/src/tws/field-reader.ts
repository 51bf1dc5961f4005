/** The value TWS uses for "no integer" on the wire. */
export const UNSET_INT = 2147483647;
/** The text TWS uses for "no double" on the wire (Java's Double.MAX_VALUE). */
export const UNSET_DOUBLE = '1.7976931348623157E308';

/** A client message that does not match the layout the pinned client produces. */
export class ClientMessageError extends Error {
  constructor(
    message: string,
    /** The request, ticker or order id read before the problem, to address the error reply to. */
    readonly requestId: number,
  ) {
    super(message);
    this.name = 'ClientMessageError';
  }
}

/**
 * A cursor over the fields of one client message. Layouts read fields in the order the pinned encoder
 * writes them and finish with {@link FieldReader.expectEnd}, so one field too few or too many is caught.
 */
export class FieldReader {
  private index = 0;
  /** Id to address an error reply to; layouts set it as soon as they read it. */
  requestId = -1;

  constructor(
    private readonly fields: readonly string[],
    private readonly messageName: string,
  ) {}

  /** Number of fields in the message, the message id included. */
  get fieldCount(): number {
    return this.fields.length;
  }

  /** Reads one field as text. */
  str(what: string): string {
    if (this.index >= this.fields.length) {
      throw new ClientMessageError(
        `${this.messageName}: expected at least ${this.index + 1} fields (next: ${what}), got ${this.fields.length}`,
        this.requestId,
      );
    }
    return this.fields[this.index++] as string;
  }

  /** Reads an integer; an empty field or 2147483647 is undefined. */
  optInt(what: string): number | undefined {
    const text = this.str(what);
    if (text === '') return undefined;
    if (!/^-?\d+$/.test(text)) {
      throw new ClientMessageError(`${this.messageName}: expected ${what} to be an integer, was ${JSON.stringify(text)}`, this.requestId);
    }
    const value = Number(text);
    return value === UNSET_INT ? undefined : value;
  }

  /** Reads an integer that must be present. */
  int(what: string): number {
    const value = this.optInt(what);
    if (value === undefined) {
      throw new ClientMessageError(`${this.messageName}: expected ${what} to be an integer, was empty`, this.requestId);
    }
    return value;
  }

  /** Reads a number; an empty field or Double.MAX_VALUE is undefined. */
  optNum(what: string): number | undefined {
    const text = this.str(what);
    if (text === '') return undefined;
    const value = Number(text);
    if (Number.isNaN(value) && text !== 'NaN') {
      throw new ClientMessageError(`${this.messageName}: expected ${what} to be a number, was ${JSON.stringify(text)}`, this.requestId);
    }
    return value >= Number.MAX_VALUE ? (text === 'Infinity' ? Infinity : undefined) : value;
  }

  /** Reads a 0/1 flag; empty reads as the given default. */
  bool(what: string, whenEmpty = false): boolean {
    const text = this.str(what);
    if (text === '') return whenEmpty;
    if (text === '0' || text === 'false') return false;
    if (text === '1' || text === 'true') return true;
    throw new ClientMessageError(`${this.messageName}: expected ${what} to be 0 or 1, was ${JSON.stringify(text)}`, this.requestId);
  }

  /** Skips n fields the fake does not use (their presence still counts). */
  skip(n: number, what: string): void {
    for (let i = 0; i < n; i++) this.str(what);
  }

  /** Fails unless every field was consumed. */
  expectEnd(): void {
    if (this.index !== this.fields.length) {
      throw new ClientMessageError(
        `${this.messageName}: expected ${this.index} fields, got ${this.fields.length}`,
        this.requestId,
      );
    }
  }
}
