import { Webhook } from 'standardwebhooks';
import { randomBytes } from 'node:crypto';
import { secretOf, signedHeaders } from './signature';

describe('webhook signatures', () => {
  it('are the base64 HMAC-SHA256 of id.timestamp.body under the base64-decoded secret (the Standard Webhooks example)', () => {
    // The example of the Standard Webhooks specification.
    const headers = signedHeaders(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      new Date(1614265330 * 1000),
      '{"test": 2432232314}',
    );
    expect(headers).toEqual({
      'webhook-id': 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('verify with the standardwebhooks package', () => {
    const secret = secretOf(randomBytes(32));
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({
      type: 'approval.requested',
      timestamp: '2026-11-25T12:00:00.000Z',
      data: { message: 'é ✓' },
    });
    const headers = signedHeaders(secret, '4a4b1f36-7d3e-5c5e-9a55-0d1c7e3f8a21', new Date(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(secret).verify(`${body} `, headers)).toThrow();
  });
});
