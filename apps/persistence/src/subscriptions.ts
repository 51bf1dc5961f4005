import { topics, type Subscription } from '@ttquant/bus';
import type { StoreConfig } from './persistence-config';

/** The bus subscriptions that bring in what the `store` switches ask for. */
export function storeSubscriptions(store: StoreConfig): Subscription[] {
  const wanted: Subscription[] = [];
  if (store.ticks) wanted.push(topics.prefix.allTicks());
  if (store.books) wanted.push(topics.prefix.allBooks());
  if (store.bars) wanted.push(topics.prefix.allBars());
  if (store.funding) wanted.push(topics.prefix.allFunding());
  if (store.instruments) wanted.push(topics.prefix.allInstruments());
  if (store.execution) wanted.push(topics.prefix.execution());
  if (store.alerts) wanted.push(topics.alert());
  if (store.venueStatus) wanted.push(topics.prefix.allVenueStatus());
  return wanted;
}
