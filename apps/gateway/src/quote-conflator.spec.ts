import type { BusMessage } from '@ttquant/bus';
import { QuoteConflator } from './quote-conflator';

function message(topic: string, sequence: number): BusMessage {
  return { topic, sequence } as unknown as BusMessage;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

describe('QuoteConflator', () => {
  it('hands on only the newest quote of each topic of a turn, topics in the order first seen', async () => {
    const applied: [string, number][] = [];
    const conflator = new QuoteConflator((m) => applied.push([m.topic, m.sequence]));

    conflator.offer(message('md.tick.SIM.B', 1));
    conflator.offer(message('md.tick.SIM.A', 1));
    conflator.offer(message('md.tick.SIM.B', 2));
    conflator.offer(message('md.tick.SIM.A', 2));
    conflator.offer(message('md.tick.SIM.B', 3));
    expect(applied).toEqual([]);

    await nextTurn();
    expect(applied).toEqual([
      ['md.tick.SIM.B', 3],
      ['md.tick.SIM.A', 2],
    ]);
  });

  it('starts afresh every turn: a topic quiet in a turn is not handed on again', async () => {
    const applied: [string, number][] = [];
    const conflator = new QuoteConflator((m) => applied.push([m.topic, m.sequence]));

    conflator.offer(message('md.tick.SIM.A', 1));
    conflator.offer(message('md.tick.SIM.B', 1));
    await nextTurn();
    conflator.offer(message('md.tick.SIM.B', 2));
    await nextTurn();
    await nextTurn();

    expect(applied).toEqual([
      ['md.tick.SIM.A', 1],
      ['md.tick.SIM.B', 1],
      ['md.tick.SIM.B', 2],
    ]);
  });

  it('takes a quote offered while it hands on the previous ones into the next turn', async () => {
    const applied: number[] = [];
    const conflator: QuoteConflator = new QuoteConflator((m) => {
      applied.push(m.sequence);
      if (m.sequence === 1) conflator.offer(message('md.tick.SIM.A', 2));
    });

    conflator.offer(message('md.tick.SIM.A', 1));
    await nextTurn();
    expect(applied).toEqual([1]);
    await nextTurn();
    expect(applied).toEqual([1, 2]);
  });
});
