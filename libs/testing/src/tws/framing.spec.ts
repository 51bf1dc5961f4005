import { ClientFrameReader, encodeClientHello, encodeFrame, FramingError, MAX_FRAME_BYTES, type InboundFrame } from './framing';

describe('framing', () => {
  it('writes a big-endian length counting the trailing NUL, fields joined by NUL, booleans as 0/1', () => {
    const frame = encodeFrame([49, 1, true, false, undefined, 'é']);
    const body = '49\u00001\u00001\u00000\u0000\u0000é\u0000';
    expect(frame.readUInt32BE(0)).toBe(Buffer.byteLength(body));
    expect(frame.subarray(4).toString('utf8')).toBe(body);
  });

  it('reassembles the hello and messages however TCP chunks them', () => {
    const stream = Buffer.concat([encodeClientHello(100, 193), encodeFrame([71, 2, 7, '']), encodeFrame([49, 1]), encodeFrame([9, 8, 'AAPL'])]);
    const expected: InboundFrame[] = [
      { kind: 'hello', minVersion: 100, maxVersion: 193 },
      { kind: 'message', fields: ['71', '2', '7', ''] },
      { kind: 'message', fields: ['49', '1'] },
      { kind: 'message', fields: ['9', '8', 'AAPL'] },
    ];
    for (const chunkSize of [1, 2, 3, 5, 7, 13, stream.length]) {
      const reader = new ClientFrameReader();
      const frames: InboundFrame[] = [];
      for (let i = 0; i < stream.length; i += chunkSize) frames.push(...reader.push(stream.subarray(i, i + chunkSize)));
      expect(frames).toEqual(expected);
    }
  });

  it('reports a frame without its final NUL as a bad message and keeps reading', () => {
    const reader = new ClientFrameReader();
    reader.push(encodeClientHello(100, 193));
    const body = Buffer.from('49\u00001');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    const frames = reader.push(Buffer.concat([length, body, encodeFrame([49, 1])]));
    expect(frames[0]).toMatchObject({ kind: 'bad-message', fields: ['49', '1'] });
    expect(frames[1]).toEqual({ kind: 'message', fields: ['49', '1'] });
  });

  it('refuses a stream that does not open with API\\0 or announces an oversized frame', () => {
    expect(() => new ClientFrameReader().push(Buffer.from('GET / HTTP/1.1\r\n'))).toThrow(FramingError);
    expect(() => new ClientFrameReader().push(Buffer.from('AP!'))).toThrow('expected the client to open with "API\\0"');
    const reader = new ClientFrameReader();
    reader.push(encodeClientHello(100, 193));
    const huge = Buffer.alloc(4);
    huge.writeUInt32BE(MAX_FRAME_BYTES + 1);
    expect(() => reader.push(huge)).toThrow(`expected a frame of at most ${MAX_FRAME_BYTES} bytes, got a length prefix of ${MAX_FRAME_BYTES + 1}`);
  });

  it('reads a single-version hello', () => {
    const body = Buffer.from('v176');
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    expect(new ClientFrameReader().push(Buffer.concat([Buffer.from('API\0'), length, body]))).toEqual([{ kind: 'hello', minVersion: 176, maxVersion: 176 }]);
  });
});
