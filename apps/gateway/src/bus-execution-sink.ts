import { topics } from '@ttquant/bus';
import type { AccountState, Alert, Fill, OrderEvent, PositionSnapshot, RiskDenial, VenueStatus } from '@ttquant/domain';
import type { ExecutionSink } from '@ttquant/execution';
import type { JournaledPublisher } from '@ttquant/service-bus';

/** Publishes (and journals) everything the execution engine produces for one account. */
export class BusExecutionSink implements ExecutionSink {
  private readonly orderTopic;
  private readonly fillTopic;
  private readonly positionTopic;
  private readonly accountTopic;
  private readonly denialTopic;

  constructor(
    private readonly out: JournaledPublisher,
    account: string,
  ) {
    this.orderTopic = topics.order(account);
    this.fillTopic = topics.fill(account);
    this.positionTopic = topics.position(account);
    this.accountTopic = topics.account(account);
    this.denialTopic = topics.riskDenial(account);
  }

  /** Every event is journaled; durability before routing comes from {@link persisted}. */
  orderEvent(event: OrderEvent): void {
    this.out.publish(this.orderTopic, { kind: 'orderEvent', value: event }, { eventTimeNs: event.order.updatedTime });
  }

  persisted(): Promise<void> {
    return this.out.persisted();
  }

  fill(fill: Fill): void {
    this.out.publish(this.fillTopic, { kind: 'fill', value: fill }, { eventTimeNs: fill.eventTime });
  }

  position(position: PositionSnapshot): void {
    this.out.publish(this.positionTopic, { kind: 'position', value: position });
  }

  account(state: AccountState): void {
    this.out.publish(this.accountTopic, { kind: 'accountState', value: state });
  }

  denial(denial: RiskDenial): void {
    this.out.publish(this.denialTopic, { kind: 'riskDenial', value: denial });
  }

  alert(alert: Alert): void {
    this.out.publish(topics.alert(), { kind: 'alert', value: alert });
  }

  venueStatus(status: VenueStatus): void {
    this.out.publish(topics.venueStatus(status.venue), { kind: 'venueStatus', value: status });
  }
}
