import { fromHttp, fromNatsMessage, Parsed } from './cloud-events';
import { AT, bytes, data, ok, structured, withDataBase64 } from './cloud-events.fixtures';

/**
 * The CloudEvents 1.0 JSON format and HTTP binding as intake reads them, case by case in the manner
 * of the public conformance suite (an event as sent, what it must be read as): every mode of the
 * HTTP binding, and the same cases over NATS.
 */
describe('CloudEvents as intake reads them', () => {
  describe('refused, with the reason, and kept as a rejection by the caller', () => {
    it.each<[string, () => Parsed[], RegExp]>([
      ['a missing id', () => fromHttp('structured', {}, bytes({ ...structured, id: undefined }), AT), /id is required/],
      [
        'a specversion other than 1.0',
        () => fromHttp('structured', {}, bytes({ ...structured, specversion: '0.3' }), AT),
        /specversion must be "1.0"/,
      ],
      [
        'data with data_base64',
        () => fromHttp('structured', {}, bytes({ ...structured, data_base64: 'e30=' }), AT),
        /data and data_base64 are both present/,
      ],
      [
        'data_base64 that is not base64 of JSON',
        () => fromHttp('structured', {}, bytes(withDataBase64('not json')), AT),
        /data_base64 must be base64 of UTF-8 JSON/,
      ],
      [
        'a non-JSON datacontenttype',
        () => fromHttp('structured', {}, bytes({ ...structured, datacontenttype: 'text/plain' }), AT),
        /datacontenttype must be JSON/,
      ],
      [
        'an extension attribute name the format does not allow',
        () => fromHttp('structured', {}, bytes({ ...structured, Bad_Name: 'x' }), AT),
        /./,
      ],
      [
        'binary mode without ce-specversion',
        () => fromHttp('binary', { 'ce-id': 'e-1', 'content-type': 'application/json' }, bytes(data), AT),
        /binary mode needs ce-specversion/,
      ],
      [
        'binary mode data that is not JSON',
        () => fromHttp('binary', { 'ce-specversion': '1.0', 'content-type': 'text/plain' }, bytes('"x"'), AT),
        /binary mode data must be JSON/,
      ],
      ['a batch that is not an array', () => fromHttp('batch', {}, bytes(structured), AT), /a batch is a JSON array/],
      ['malformed JSON', () => fromHttp('structured', {}, bytes('{"specversion": '), AT), /the body is not valid JSON/],
      [
        'bytes that are not UTF-8',
        () => fromHttp('structured', {}, Buffer.from([0x7b, 0xff, 0x7d]), AT),
        /the body is not valid UTF-8/,
      ],
      [
        'U+0000 in the data',
        () =>
          fromHttp('structured', {}, bytes({ ...structured, data: { ...data, inputs: { caseId: 'C\u00001' } } }), AT),
        /data\.inputs\.caseId: holds U\+0000/,
      ],
      [
        'an unpaired surrogate in the data',
        () =>
          fromHttp(
            'structured',
            {},
            bytes(
              '{"specversion":"1.0","id":"e","source":"s","type":"workgate.workorder.open","subject":"X","data":{"jobType":"j","inputs":{"n":"\\ud800"}}}',
            ),
            AT,
          ),
        /unpaired surrogate/,
      ],
      [
        'a number that would be rounded',
        () =>
          fromHttp(
            'structured',
            {},
            bytes(JSON.stringify(structured).replace('"orderId":"1"', '"orderId":12345678901234567890')),
            AT,
          ),
        /data\.inputs\.orderId: 12345678901234567890 cannot be kept exactly/,
      ],
      [
        'a prototype key',
        () =>
          fromHttp(
            'structured',
            {},
            bytes('{"specversion":"1.0","id":"e","source":"s","type":"t","__proto__":{"x":1}}'),
            AT,
          ),
        /key "__proto__" is not allowed/,
      ],
      [
        'an unknown type',
        () => fromHttp('structured', {}, bytes({ ...structured, type: 'com.example.other' }), AT),
        /unknown CloudEvent type "com.example.other"/,
      ],
      [
        'no subject',
        () => fromHttp('structured', {}, bytes({ ...structured, subject: undefined }), AT),
        /subject is required/,
      ],
      [
        'a key twice in one object',
        () =>
          fromHttp(
            'structured',
            {},
            bytes(JSON.stringify(structured).replace('"orderPaid":true', '"orderPaid":true,"orderPaid":false')),
            AT,
          ),
        /^data\.inputs\.orderPaid: the key "orderPaid" appears more than once in one object$/,
      ],
      [
        'a key twice in a batch',
        () => fromHttp('batch', {}, bytes(`[${JSON.stringify(structured)},{"id":"e-2","id":"e-3"}]`), AT),
        /^\[1\]\.id: the key "id" appears more than once/,
      ],
      [
        'a key twice in data_base64',
        () => fromHttp('structured', {}, bytes(withDataBase64('{"jobType":"a","jobType":"b"}')), AT),
        /^data\.jobType: the key "jobType" appears more than once/,
      ],
      [
        'data the command refuses',
        () => fromHttp('structured', {}, bytes({ ...structured, data: { inputs: {} } }), AT),
        /data\.jobType/,
      ],
    ])('%s', (_what, read, reason) => {
      const [parsed] = read();
      expect(parsed.ok).toBe(false);
      expect(!parsed.ok && parsed.reasons.join('; ')).toMatch(reason);
    });

    it('the same refusals over NATS', () => {
      expect(ok(fromNatsMessage({}, Buffer.from([0x7b, 0xff, 0x7d]), AT))).toEqual({
        ok: false,
        reasons: ['the body is not valid UTF-8'],
      });
      expect(ok(fromNatsMessage({}, bytes({ ...structured, data_base64: 'e30=' }), AT))).toEqual({
        ok: false,
        reasons: ['data and data_base64 are both present: an event carries one of them'],
      });
      // Kept with the attributes it names, as every other refused event.
      expect(
        fromNatsMessage({}, bytes(JSON.stringify(structured).replace('"subject"', '"type":"x","subject"')), AT),
      ).toEqual({
        ok: false,
        source: 'helpdesk',
        id: 'e-1',
        reasons: ['type: the key "type" appears more than once in one object'],
      });
      expect(
        ok(
          fromNatsMessage(
            { 'ce-specversion': '1.0', 'ce-id': 'e-1', 'ce-source': 'helpdesk', 'ce-type': 'workgate.workorder.open' },
            bytes('{"jobType":"a","jobType":"b"}'),
            AT,
          ),
        ),
      ).toEqual({ ok: false, reasons: ['data.jobType: the key "jobType" appears more than once in one object'] });
    });
  });
});
