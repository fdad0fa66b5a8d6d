import { Parsed } from './cloud-events';

/** What the CloudEvents specifications share: an event as sent, and what a reading comes to. */
export const AT = '2026-11-25T10:00:00.000Z';
export const data = { jobType: 'support-recovery', inputs: { caseId: 'C-1', orderId: '1', orderPaid: true } };
export const structured = {
  specversion: '1.0',
  id: 'e-1',
  source: 'helpdesk',
  type: 'workgate.workorder.open',
  subject: 'CASE-1',
  datacontenttype: 'application/json',
  data,
};
export const bytes = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
export const ok = (p: Parsed) =>
  p.ok ? { ok: true, id: p.envelope.id, command: p.request.command.type } : { ok: false, reasons: p.reasons };
/** The structured event with its data sent as data_base64 of `text` instead. */
export const withDataBase64 = (text: string) => ({
  ...structured,
  data: undefined,
  data_base64: Buffer.from(text).toString('base64'),
});
