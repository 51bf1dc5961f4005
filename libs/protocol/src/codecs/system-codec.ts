import type { Alert, Heartbeat, RiskDenial, VenueStatus } from '@ttquant/domain';
import { ProtocolError } from '../errors';
import type { wire } from '../wire';
import { alertSeverityCodec, connectionStateCodec, serviceStateCodec } from './enums';
import { encodeInstrumentId, readInstrumentId } from './instrument-codec';
import {
  readClientOrderId,
  readRequiredString,
  readString,
  readStringMap,
  readUint64AsNumber,
  writeUint64,
} from './scalars';

/** Decodes `venueStatus`: channel is "data" or "execution"; an execution channel names its account. */
export function decodeVenueStatus(w: wire.IVenueStatus): VenueStatus {
  const p = 'venueStatus';
  const channel = w.channel;
  if (channel !== 'data' && channel !== 'execution') {
    throw new ProtocolError(`${p}.channel`, '"data" or "execution"', JSON.stringify(channel ?? ''));
  }
  const account = readString(w.account, p, 'account');
  if (channel === 'execution' && account === '') {
    throw new ProtocolError(`${p}.account`, 'the account of an execution channel', 'empty');
  }
  return {
    venue: readRequiredString(w.venue, p, 'venue'),
    channel,
    account,
    state: connectionStateCodec.decode(w.state, p, 'state'),
    detail: readString(w.detail, p, 'detail'),
  };
}

/** Encodes a VenueStatus. */
export function encodeVenueStatus(x: VenueStatus): wire.IVenueStatus {
  return {
    venue: x.venue,
    channel: x.channel,
    account: x.account,
    state: connectionStateCodec.encode(x.state, 'venueStatus', 'state'),
    detail: x.detail,
  };
}

/** Decodes `heartbeat`; the uptime must fit a JavaScript number. */
export function decodeHeartbeat(w: wire.IHeartbeat): Heartbeat {
  const p = 'heartbeat';
  return {
    service: readRequiredString(w.service, p, 'service'),
    instance: readRequiredString(w.instance, p, 'instance'),
    state: serviceStateCodec.decode(w.state, p, 'state'),
    uptimeMs: readUint64AsNumber(w.uptimeMs, p, 'uptimeMs'),
    info: readStringMap(w.info, p, 'info'),
  };
}

/** Encodes a Heartbeat. */
export function encodeHeartbeat(x: Heartbeat): wire.IHeartbeat {
  return {
    service: x.service,
    instance: x.instance,
    state: serviceStateCodec.encode(x.state, 'heartbeat', 'state'),
    uptimeMs: writeUint64(x.uptimeMs, 'heartbeat', 'uptimeMs'),
    info: x.info,
  };
}

/** Decodes `riskDenial`: every denial names its check and gives a reason. */
export function decodeRiskDenial(w: wire.IRiskDenial): RiskDenial {
  const p = 'riskDenial';
  return {
    account: readRequiredString(w.account, p, 'account'),
    clientOrderId: readClientOrderId(w.clientOrderId, p, 'clientOrderId'),
    instrument: readInstrumentId(w.instrument, p, 'instrument'),
    check: readRequiredString(w.check, p, 'check'),
    reason: readRequiredString(w.reason, p, 'reason'),
  };
}

/** Encodes a RiskDenial. */
export function encodeRiskDenial(x: RiskDenial): wire.IRiskDenial {
  return {
    account: x.account,
    clientOrderId: x.clientOrderId,
    instrument: encodeInstrumentId(x.instrument),
    check: x.check,
    reason: x.reason,
  };
}

/** Decodes `alert`: severity, source, code and message are required. */
export function decodeAlert(w: wire.IAlert): Alert {
  const p = 'alert';
  return {
    severity: alertSeverityCodec.decode(w.severity, p, 'severity'),
    source: readRequiredString(w.source, p, 'source'),
    code: readRequiredString(w.code, p, 'code'),
    message: readRequiredString(w.message, p, 'message'),
    context: readStringMap(w.context, p, 'context'),
  };
}

/** Encodes an Alert. */
export function encodeAlert(x: Alert): wire.IAlert {
  return {
    severity: alertSeverityCodec.encode(x.severity, 'alert', 'severity'),
    source: x.source,
    code: x.code,
    message: x.message,
    context: x.context,
  };
}
