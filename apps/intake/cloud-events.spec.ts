import { fromHttp, fromNatsMessage, Parsed } from './cloud-events';
import { AT, bytes, data, ok, structured, withDataBase64 } from './cloud-events.fixtures';

/**
 * The CloudEvents 1.0 JSON format and HTTP binding as intake reads them, case by case in the manner
 * of the public conformance suite (an event as sent, what it must be read as): every mode of the
 * HTTP binding, and the same cases over NATS.
 */
describe('CloudEvents as intake reads them', () => {
  describe('accepted', () => {
    /** A binary-mode event whose subject header is percent-encoded (an en dash). */
    const percentEncoded = () =>
      fromHttp(
        'binary',
        {
          'ce-specversion': '1.0',
          'ce-id': 'e-1',
          'ce-source': 'helpdesk',
          'ce-type': 'workgate.workorder.open',
          'ce-subject': 'CASE%E2%80%931',
          'content-type': 'application/json',
        },
        bytes(data),
        AT,
      );

    it.each<[string, () => Parsed[]]>([
      [
        'structured mode',
        () => fromHttp('structured', { 'content-type': 'application/cloudevents+json' }, bytes(structured), AT),
      ],
      [
        'structured mode with every optional attribute and an extension',
        () =>
          fromHttp(
            'structured',
            {},
            bytes({
              ...structured,
              time: '2026-11-25T09:00:00Z',
              dataschema: 'https://example.com/s',
              traceparent: '00-abc',
            }),
            AT,
          ),
      ],
      [
        'a null optional attribute, read as absent',
        () => fromHttp('structured', {}, bytes({ ...structured, time: null, dataschema: null }), AT),
      ],
      [
        'data_base64 holding the JSON data',
        () => fromHttp('structured', {}, bytes(withDataBase64(JSON.stringify(data))), AT),
      ],
      [
        'binary mode: attributes as ce- headers of any case, the body as data',
        () =>
          fromHttp(
            'binary',
            {
              'CE-SpecVersion': '1.0',
              'ce-id': 'e-1',
              'ce-source': 'helpdesk',
              'ce-type': 'workgate.workorder.open',
              'ce-subject': 'CASE-1',
              'content-type': 'application/json; charset=utf-8',
            },
            bytes(data),
            AT,
          ),
      ],
      ['binary mode with a percent-encoded header value', percentEncoded],
      [
        'binary mode over NATS',
        () => [
          fromNatsMessage(
            {
              'ce-specversion': '1.0',
              'ce-id': 'e-1',
              'ce-source': 'helpdesk',
              'ce-type': 'workgate.workorder.open',
              'ce-subject': 'CASE-1',
            },
            bytes(data),
            AT,
          ),
        ],
      ],
      ['structured mode over NATS', () => [fromNatsMessage({}, bytes(structured), AT)]],
    ])('%s', (_what, read) => {
      expect(read().map(ok)).toEqual([{ ok: true, id: 'e-1', command: 'OpenWorkOrder' }]);
    });

    it('a batch: each event on its own', () => {
      const batch = [structured, { ...structured, id: 'e-2' }, { ...structured, id: 'e-3', specversion: '0.3' }];
      expect(fromHttp('batch', {}, bytes(batch), AT).map((p) => p.ok)).toEqual([true, true, false]);
    });

    it('a percent-encoded binary header is decoded', () => {
      const [parsed] = percentEncoded();
      expect(parsed.ok && parsed.envelope.subject).toBe('CASE\u20131');
    });
  });
});
