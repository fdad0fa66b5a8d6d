/* workgate console: plain browser JavaScript, no build step. Every read and every action is a call
 * to the /v1 API with the key the user signs in with (kept in sessionStorage, for this tab only);
 * what the API refuses is shown as the API said it. Text is set with textContent only. */
'use strict';

(function () {
  const KEY = 'workgate.apiKey';
  /** Who is signed in: `{id, roles}` from GET /v1/me. */
  let me = null;

  const $ = (selector) => document.querySelector(selector);
  const enc = encodeURIComponent;

  function status(text, error) {
    const el = $('#status');
    el.textContent = text;
    el.className = error ? 'error' : 'muted';
  }

  /** An element with attributes and children (strings become text nodes). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat())
      if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
    return el;
  }

  class ApiError extends Error {
    constructor(status, body) {
      super(body.message || `${status}`);
      this.status = status;
      this.code = body.error;
    }
  }

  function idempotencyKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
  }

  /**
   * One /v1 call. A write carries an Idempotency-Key; `retryKey` keeps the key of an attempt whose
   * outcome is unknown (504, network), so pressing the button again cannot do the thing twice.
   */
  async function api(method, path, body, retryKey) {
    const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}`, Accept: 'application/json' };
    if (method !== 'GET') {
      headers['Content-Type'] = 'application/json';
      headers['Idempotency-Key'] = retryKey || idempotencyKey();
    }
    let res;
    try {
      res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw Object.assign(
        new ApiError(0, { message: 'The server did not answer. Try again: the same request is not done twice.' }),
        { unknown: headers['Idempotency-Key'] },
      );
    }
    const text = await res.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = { message: `${res.status} ${res.statusText}` };
    }
    if (!res.ok) {
      const error = new ApiError(res.status, json);
      if (res.status === 504) error.unknown = headers['Idempotency-Key'];
      throw error;
    }
    return json;
  }

  // Human forms -------------------------------------------------------------------------------

  /** `3 d 4 h`, `5 h 12 min`, `4 min`, `less than a minute`. */
  function duration(ms) {
    const minutes = Math.floor(Math.abs(ms) / 60000);
    if (minutes < 1) return 'less than a minute';
    const d = Math.floor(minutes / 1440);
    const hours = Math.floor((minutes % 1440) / 60);
    const m = minutes % 60;
    if (d) return hours ? `${d} d ${hours} h` : `${d} d`;
    if (hours) return m ? `${hours} h ${m} min` : `${hours} h`;
    return `${m} min`;
  }
  const ago = (iso) => `${duration(Date.now() - Date.parse(iso))} ago`;
  const due = (iso) => {
    const left = Date.parse(iso) - Date.now();
    return left >= 0 ? `in ${duration(left)}` : `overdue by ${duration(left)}`;
  };
  const when = (iso) => (iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '');
  const shortId = (id) => String(id).slice(0, 8);
  const actionText = (a) => (a ? `${a.kind} ${a.system} ${a.operation}` : 'a gate of the work order');
  const words = (s) =>
    String(s)
      .replace(/([a-z])([A-Z])/g, '$1 $2')
      .replace(/[-_]/g, ' ')
      .toLowerCase();

  function timeCell(iso, text) {
    return h('time', { datetime: iso, title: when(iso) }, text);
  }

  function facts(obj) {
    const entries = Object.entries(obj || {});
    if (!entries.length) return h('span', { class: 'muted', text: 'none' });
    return h(
      'ul',
      { class: 'facts' },
      entries.map(([k, v]) =>
        h(
          'li',
          {},
          h('span', { class: 'muted', text: `${k}: ` }),
          typeof v === 'object' ? JSON.stringify(v) : String(v),
        ),
      ),
    );
  }

  function details(pairs) {
    return h(
      'dl',
      {},
      pairs
        .filter(([, v]) => v !== undefined && v !== null && v !== '')
        .flatMap(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]),
    );
  }

  function table(columns, rows, empty) {
    if (!rows.length) return h('p', { class: 'empty', text: empty });
    return h(
      'div',
      { class: 'table' },
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            columns.map((c) => h('th', { scope: 'col', text: c.title })),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((r) =>
            h(
              'tr',
              {},
              columns.map((c) => h('td', { class: c.num ? 'num' : undefined }, c.cell(r))),
            ),
          ),
        ),
      ),
    );
  }

  function workOrderLink(id, wo) {
    return h('a', { href: `#/work-orders/${id}` }, wo ? wo.externalRef : `work order ${shortId(id)}`);
  }

  /** Runs one action from a form or button: shows progress, then `done` or the API's refusal, and reloads the page. */
  async function act(control, done, call) {
    const holder = control.closest('form') || control;
    const buttons = holder.closest('article, form')?.querySelectorAll('button') ?? [];
    buttons.forEach((b) => (b.disabled = true));
    status('Sending…');
    try {
      await call(holder.dataset.retryKey);
      delete holder.dataset.retryKey;
      status(done);
      await route(true);
    } catch (error) {
      if (error.unknown) holder.dataset.retryKey = error.unknown;
      else delete holder.dataset.retryKey;
      status(error.message, true);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  // Shared look-ups, fresh for each page shown -------------------------------------------------

  let cache = new Map();
  const once = (key, load) => {
    if (!cache.has(key))
      cache.set(
        key,
        load().catch(() => null),
      );
    return cache.get(key);
  };
  const handoff = (id) => once(`wo:${id}`, () => api('GET', `/v1/work-orders/${id}`));
  const decisions = (id) => once(`decisions:${id}`, () => api('GET', `/v1/work-orders/${id}/decisions`));
  const codes = () => once('codes', () => api('GET', '/v1/exception-codes'));

  // Approvals ---------------------------------------------------------------------------------

  async function showApprovals() {
    const queues = await Promise.all(
      ['requested', 'conditional'].map((s) => api('GET', `/v1/approvals?owner=${enc(me.id)}&status=${s}`)),
    );
    const rows = queues.flat().sort((a, b) => a.requestedAt.localeCompare(b.requestedAt));
    const cards = await Promise.all(
      rows.map(async (row) => {
        const [approval, wo, decided] = await Promise.all([
          api('GET', `/v1/approvals/${row.approvalId}`),
          handoff(row.workOrderId),
          decisions(row.workOrderId),
        ]);
        const decision =
          (decided || []).find((d) => d.approvalId === row.approvalId || d.actionId === row.actionId) || null;
        return approvalCard(row, approval, wo, decision);
      }),
    );
    const list = $('#approvals-list');
    list.replaceChildren(...(cards.length ? cards : [h('p', { class: 'empty', text: 'Nothing waits for you.' })]));
    return `${rows.length} approval${rows.length === 1 ? '' : 's'} waiting for ${me.id}.`;
  }

  function approvalCard(row, approval, wo, decision) {
    const id = `approval-${row.approvalId}`;
    const action = approval.requestedAction;
    const heading = `${actionText(action)}${action && action.objects && action.objects.length ? ` · ${action.objects.join(', ')}` : ''}`;
    const card = h(
      'article',
      { class: 'card', 'aria-labelledby': `${id}-title`, 'data-approval': row.approvalId },
      h(
        'h3',
        { id: `${id}-title` },
        heading,
        ' ',
        h('span', { class: `badge ${approval.status}`, text: approval.status }),
      ),
      details([
        [
          'Work order',
          h(
            'span',
            {},
            workOrderLink(row.workOrderId, wo),
            wo ? h('span', { class: 'muted', text: ` · ${wo.source} · ${wo.workflow.title}` }) : null,
          ),
        ],
        ['Requested by', approval.requestedBy],
        ['Waiting', timeCell(approval.requestedAt, duration(Date.now() - Date.parse(approval.requestedAt)))],
        ['Due', timeCell(approval.expiresAt, due(approval.expiresAt))],
        ['Rule', decision ? decision.rule || 'the workflow boundary' : `gate: ${approval.kind || 'approval'}`],
        ['Why', decision ? decision.message : null],
        [
          'Policy',
          decision
            ? `${decision.policy.jobType} v${decision.policy.version}`
            : wo
              ? `${wo.jobType} v${wo.workflow.version}`
              : row.jobType,
        ],
        [
          'Objects',
          action && action.objects && action.objects.length ? action.objects.join(', ') : 'the scope as a whole',
        ],
        ['Facts', decision ? facts(decision.facts) : h('span', { class: 'muted', text: 'none' })],
        ['Approval', h('span', { class: 'muted', title: row.approvalId, text: shortId(row.approvalId) })],
      ]),
    );
    if (approval.status === 'requested') card.append(...decisionControls(approval, heading));
    if (approval.status === 'conditional') card.append(conditionList(approval));
    return card;
  }

  function decisionControls(approval, heading) {
    const noteId = `note-${approval.approvalId}`;
    const note = h('input', { id: noteId, type: 'text', maxlength: '4000' });
    const permitted = approval.requestedAction ? { permittedAction: approval.requestedAction } : {};
    const body = (decision) => ({ decision, ...permitted, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
    const decide = (button, decision, done) =>
      act(button, `${done}: ${heading}.`, (retry) =>
        api('POST', `/v1/approvals/${approval.approvalId}/decision`, body(decision), retry),
      );

    const form = h('form', { class: 'conditions', hidden: true });
    const permittedId = `permitted-${approval.approvalId}`;
    const conditionsId = `conditions-${approval.approvalId}`;
    const permittedText = h('textarea', { id: permittedId, class: 'code', rows: '7', spellcheck: 'false' });
    permittedText.value = JSON.stringify(approval.requestedAction || {}, null, 2);
    const conditionsText = h('textarea', {
      id: conditionsId,
      rows: '3',
      required: true,
      placeholder: 'One condition per line',
    });
    form.append(
      h('label', { for: permittedId, text: 'Permitted action (pre-filled from the request)' }),
      permittedText,
      h('label', { for: conditionsId, text: 'Conditions, one title per line' }),
      conditionsText,
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Approve with these conditions' })),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      let permittedAction;
      try {
        permittedAction = JSON.parse(permittedText.value);
      } catch {
        status('The permitted action is not valid JSON.', true);
        return;
      }
      const conditions = conditionsText.value
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      void act(
        form,
        `Approved with ${conditions.length} condition${conditions.length === 1 ? '' : 's'}: ${heading}.`,
        (retry) =>
          api(
            'POST',
            `/v1/approvals/${approval.approvalId}/decision`,
            {
              decision: 'conditional',
              permittedAction,
              conditions,
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
            },
            retry,
          ),
      );
    });
    const toggle = h('button', {
      type: 'button',
      class: 'quiet',
      'aria-expanded': 'false',
      'aria-controls': `form-${approval.approvalId}`,
      text: 'Approve with conditions',
      onclick: () => {
        form.hidden = !form.hidden;
        toggle.setAttribute('aria-expanded', String(!form.hidden));
        if (!form.hidden) conditionsText.focus();
      },
    });
    form.id = `form-${approval.approvalId}`;
    return [
      h('div', { class: 'field' }, h('label', { for: noteId, text: 'Note (optional)' }), note),
      h(
        'div',
        { class: 'actions' },
        h('button', {
          type: 'button',
          text: 'Approve',
          onclick: (e) => decide(e.currentTarget, 'approve', 'Approved'),
        }),
        h('button', {
          type: 'button',
          class: 'danger',
          text: 'Reject',
          onclick: (e) => decide(e.currentTarget, 'reject', 'Rejected'),
        }),
        toggle,
      ),
      form,
    ];
  }

  function conditionList(approval) {
    const open = (approval.conditions || []).filter((c) => !c.closed);
    const closed = (approval.conditions || []).length - open.length;
    return h(
      'div',
      { class: 'open-conditions' },
      h('h4', { text: `Open conditions (${open.length}${closed ? `, ${closed} closed` : ''})` }),
      h(
        'ul',
        {},
        open.map((c) => {
          const kindId = `kind-${approval.approvalId}-${c.conditionId}`;
          const refId = `ref-${approval.approvalId}-${c.conditionId}`;
          const form = h(
            'form',
            { class: 'grid-form compact' },
            h('label', { for: kindId, text: 'Evidence kind' }),
            h('input', { id: kindId, name: 'kind', value: 'note', required: true, maxlength: '100' }),
            h('label', { for: refId, text: 'Evidence' }),
            h('input', {
              id: refId,
              name: 'ref',
              required: true,
              maxlength: '2000',
              placeholder: 'link, document or note',
            }),
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'submit', 'aria-label': `Close condition: ${c.title}`, text: 'Close condition' }),
            ),
          );
          form.addEventListener('submit', (event) => {
            event.preventDefault();
            const evidence = { kind: form.elements.kind.value.trim(), ref: form.elements.ref.value.trim() };
            void act(form, `Condition closed: ${c.title}.`, (retry) =>
              api(
                'POST',
                `/v1/approvals/${approval.approvalId}/conditions/${enc(c.conditionId)}/close`,
                { evidence },
                retry,
              ),
            );
          });
          return h(
            'li',
            {},
            h(
              'p',
              {},
              h('strong', { text: c.title }),
              h('span', { class: 'muted', text: ` · ${c.owner}${c.dueAt ? ` · due ${due(c.dueAt)}` : ''}` }),
            ),
            form,
          );
        }),
      ),
    );
  }

  // Work orders -------------------------------------------------------------------------------

  async function showWorkOrders(params) {
    const form = $('#work-order-search');
    for (const name of ['externalRef', 'source', 'jobType', 'status'])
      form.elements[name].value = params.get(name) || '';
    const query = new URLSearchParams();
    for (const [k, v] of params) if (v) query.set(k, v);
    query.set('limit', '100');
    const rows = await api('GET', `/v1/work-orders?${query}`);
    $('#work-orders-list').replaceChildren(
      table(
        [
          { title: 'External ref', cell: (r) => h('a', { href: `#/work-orders/${r.id}`, text: r.externalRef }) },
          { title: 'Status', cell: (r) => h('span', { class: `badge ${r.status}`, text: r.status }) },
          { title: 'Job type', cell: (r) => `${r.jobType} v${r.version}` },
          { title: 'Source', cell: (r) => r.source },
          { title: 'Owner', cell: (r) => r.owner },
          { title: 'Opened', cell: (r) => timeCell(r.openedAt, ago(r.openedAt)) },
          { title: 'Last change', cell: (r) => timeCell(r.updatedAt, ago(r.updatedAt)) },
        ],
        rows,
        'No work order matches.',
      ),
    );
    return `${rows.length === 100 ? 'The newest 100' : rows.length} work order${rows.length === 1 ? '' : 's'}.`;
  }

  async function showWorkOrder(id) {
    const isLead = me.roles.includes('ops-lead');
    // Decisions carry the facts they were asked with: for approvers, operators and ops leads.
    const mayReadDecisions = me.roles.some((r) => ['approver', 'operator', 'ops-lead'].includes(r));
    const [wo, decided, events] = await Promise.all([
      api('GET', `/v1/work-orders/${enc(id)}`),
      mayReadDecisions ? api('GET', `/v1/work-orders/${enc(id)}/decisions`) : [],
      isLead ? api('GET', `/v1/work-orders/${enc(id)}/events`) : null,
    ]);
    // Every approval its decisions or gates asked for; an analyst may not read approvals, and sees the open ones only.
    const approvalIds = [
      ...new Set(
        [...decided.map((d) => d.approvalId), ...wo.pendingApprovals.map((a) => a.approvalId)].filter(Boolean),
      ),
    ];
    const approvals = (
      await Promise.all(
        approvalIds.map((a) =>
          api('GET', `/v1/approvals/${a}`).catch(() => wo.pendingApprovals.find((p) => p.approvalId === a)),
        ),
      )
    ).filter(Boolean);
    const delegations = (events || []).filter((e) => e.type === 'TaskDelegated').map((e) => e.data);
    const leadOnly = (what) =>
      h('p', {
        class: 'note muted',
        text: `${what} is shown to ops leads (the ledger events carry private evidence).`,
      });
    const box = $('#work-order');
    box.replaceChildren(
      h('h2', {}, wo.externalRef, ' ', h('span', { class: `badge ${wo.status}`, text: wo.status })),
      h('p', { class: 'muted', text: `${wo.workflow.title} · ${wo.source} · owner ${wo.owner}` }),
      h(
        'div',
        { class: 'columns' },
        h(
          'div',
          { class: 'panel' },
          h('h3', { text: 'Where it stands' }),
          details([
            ['Next action', wo.nextAction],
            ['Next owner', wo.nextOwner],
            [
              'Blockers',
              wo.blockers.length
                ? h(
                    'ul',
                    {},
                    wo.blockers.map((b) => h('li', { text: b })),
                  )
                : 'none',
            ],
            ['Stage', wo.stages.length ? `${wo.stage} (next: ${wo.nextStage})` : null],
            ['Workflow', `${wo.jobType} v${wo.workflow.version}`],
            [
              'Closed',
              wo.closure
                ? `${when(wo.closure.at)}${wo.closure.evidenceMissing ? ' — without closure evidence' : ''}`
                : null,
            ],
            ['Reopened', wo.reopened ? `${wo.reopened} time${wo.reopened === 1 ? '' : 's'}` : null],
            [
              'Delivery page',
              h('button', {
                type: 'button',
                class: 'quiet',
                text: 'Download the delivery page',
                onclick: () => downloadDelivery(id, wo.externalRef).catch((error) => status(error.message, true)),
              }),
            ],
          ]),
        ),
        h(
          'div',
          { class: 'panel' },
          h('h3', { text: 'Steps' }),
          table(
            [
              { title: 'Step', cell: (s) => s.title },
              { title: 'Status', cell: (s) => h('span', { class: `badge ${s.status}`, text: s.status }) },
              { title: 'Evidence required', cell: (s) => s.evidenceRequired.join(', ') || '—' },
            ],
            wo.steps,
            'This workflow has no steps.',
          ),
        ),
      ),
      h('h3', { text: 'Decisions' }),
      table(
        [
          { title: 'Decision', cell: (d) => h('span', { class: `badge ${d.decision}`, text: d.decision }) },
          {
            title: 'Action',
            cell: (d) =>
              `${actionText(d.action)}${d.action.objects && d.action.objects.length ? ` · ${d.action.objects.join(', ')}` : ''}`,
          },
          { title: 'Why', cell: (d) => d.message || words(d.reason) },
          { title: 'Rule', cell: (d) => d.rule || 'boundary' },
          { title: 'Policy', cell: (d) => `v${d.policy.version}` },
          { title: 'When', cell: (d) => timeCell(d.at, ago(d.at)) },
          {
            title: 'Receipt',
            cell: (d) =>
              h('a', {
                href: `#/receipts/${d.receiptId}`,
                'aria-label': `Receipt of the ${d.decision} decision on ${actionText(d.action)}`,
                text: `receipt ${shortId(d.receiptId)}`,
              }),
          },
        ],
        decided,
        mayReadDecisions
          ? 'No action has been decided yet.'
          : 'Decisions are shown to approvers, operators and ops leads (they carry the facts each action was asked with).',
      ),
      h('h3', { text: 'Open exceptions' }),
      table(
        [
          { title: 'Code', cell: (e) => e.code },
          { title: 'Due', cell: (e) => timeCell(e.dueAt, due(e.dueAt)) },
          { title: 'Owner', cell: (e) => e.owner },
          { title: 'Step', cell: (e) => e.stepId || '—' },
          { title: 'Rationale', cell: (e) => e.rationale },
        ],
        wo.openExceptions,
        'No open exception.',
      ),
      h('h3', { text: 'Approvals' }),
      table(
        [
          { title: 'Status', cell: (a) => h('span', { class: `badge ${a.status}`, text: a.status }) },
          { title: 'For', cell: (a) => (a.requestedAction ? actionText(a.requestedAction) : `gate: ${a.kind}`) },
          {
            title: 'Owner',
            cell: (a) =>
              a.owner === me.id && ['requested', 'conditional'].includes(a.status)
                ? h('a', { href: '#/approvals', text: `${a.owner} (you)` })
                : a.owner,
          },
          { title: 'Decided by', cell: (a) => a.decidedBy || '—' },
          { title: 'Asked', cell: (a) => (a.requestedAt ? timeCell(a.requestedAt, ago(a.requestedAt)) : '') },
        ],
        approvals,
        'No approval asked for.',
      ),
      h('h3', { text: 'Delegations' }),
      isLead
        ? table(
            [
              { title: 'Recipient', cell: (d) => d.recipient },
              // The ledger event holds the prompt as sent: shown masked, as every inbox shows it.
              { title: 'Objective', cell: (d) => window.workgateMask(d.prompt.objective) },
              { title: 'Command', cell: (d) => words(d.command) },
              { title: 'Sent', cell: (d) => timeCell(d.dispatchCreatedAt, ago(d.dispatchCreatedAt)) },
              { title: 'Times out', cell: (d) => timeCell(d.timeoutAt, due(d.timeoutAt)) },
            ],
            delegations,
            'Nothing was delegated.',
          )
        : leadOnly('Who the work was delegated to'),
      h('h3', { text: 'Timeline' }),
      isLead
        ? table(
            [
              { title: 'Event', cell: (e) => words(e.type) },
              { title: 'What', cell: (e) => eventSummary(e.data) },
              { title: 'When', cell: (e) => timeCell(e.occurredAt, when(e.occurredAt)) },
              { title: 'By', cell: (e) => String(e.metadata.actor || '') },
              { title: 'Ledger position', num: true, cell: (e) => String(e.position) },
            ],
            events,
            'No events.',
          )
        : leadOnly('The timeline of its ledger events'),
    );
    document.title = `${wo.externalRef} — workgate console`;
    return `Work order ${wo.externalRef}: ${wo.status}.`;
  }

  /** The delivery page as an HTML file to send to the client: it needs the key to read, so it is fetched, not linked. */
  async function downloadDelivery(id, externalRef) {
    const res = await fetch(`/v1/work-orders/${id}/delivery`, {
      headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ''}`, Accept: 'text/html' },
    });
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({})));
    const a = h('a', {
      href: URL.createObjectURL(await res.blob()),
      download: `delivery-${externalRef.replace(/[^A-Za-z0-9._-]+/g, '-')}.html`,
    });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    status(`Delivery page of ${externalRef} downloaded.`);
  }

  /** The gist of a ledger event's data: its decision, action, step, code or status, where it has one. */
  function eventSummary(d) {
    const parts = [
      d.decision && d.decision.decision,
      d.action && typeof d.action === 'object' && actionText(d.action),
      d.stepId && `step ${d.stepId}`,
      d.code,
      typeof d.status === 'string' && d.status,
      d.recipient && `to ${d.recipient}`,
    ];
    return parts.filter(Boolean).join(' · ');
  }

  async function showReceipt(id) {
    const r = await api('GET', `/v1/receipts/${enc(id)}`);
    const wo = await handoff(r.workOrderId);
    $('#receipt').replaceChildren(
      h(
        'p',
        {},
        h('a', { href: `#/work-orders/${r.workOrderId}`, text: `← ${wo ? wo.externalRef : 'the work order'}` }),
      ),
      h(
        'h2',
        {},
        `Receipt of a ${words(r.kind)} `,
        r.decision ? h('span', { class: `badge ${r.decision}`, text: r.decision }) : null,
      ),
      details([
        ['Decision', r.decision ? `${r.decision} (${words(r.reason)})` : null],
        ['By', r.actor],
        ['At', when(r.at)],
        ['Policy', `${r.policy.jobType} v${r.policy.version}`],
        [
          'Evidence',
          r.evidence.length
            ? h(
                'ul',
                {},
                r.evidence.map((e) => h('li', { text: `${e.kind}: ${e.ref}${e.private ? ' (private)' : ''}` })),
              )
            : 'none',
        ],
        ['Ledger position', String(r.ledger.position)],
        ['Chain hash', h('code', { text: r.ledger.hash })],
        ['Inclusion proof', r.proof ? `in the signed tree of ${r.proof.treeSize} events` : r.proofUnavailable],
        ['Receipt id', h('code', { text: r.receiptId })],
      ]),
      h(
        'p',
        { class: 'muted note' },
        h('code', { text: 'npm run verify-receipt' }),
        " checks a receipt offline against the ledger's signed checkpoint.",
      ),
    );
    return `Receipt ${shortId(r.receiptId)}.`;
  }

  // Post-reviews and exceptions ---------------------------------------------------------------

  async function showPostReviews() {
    const rows = await api('GET', `/v1/post-reviews?owner=${enc(me.id)}`);
    rows.sort((a, b) => b.overdueSeconds - a.overdueSeconds || a.dueAt.localeCompare(b.dueAt));
    const cards = await Promise.all(
      rows.map(async (row) => {
        const [wo, exception] = await Promise.all([
          handoff(row.workOrderId),
          api('GET', `/v1/exceptions/${row.exceptionId}`).catch(() => null),
        ]);
        return postReviewCard(row, wo, exception);
      }),
    );
    $('#post-reviews-list').replaceChildren(
      ...(cards.length ? cards : [h('p', { class: 'empty', text: 'No post-review waits for you.' })]),
    );
    const overdue = rows.filter((r) => r.overdue).length;
    return `${rows.length} post-review${rows.length === 1 ? '' : 's'} open, ${overdue} overdue.`;
  }

  function postReviewCard(row, wo, exception) {
    const id = `review-${row.postReviewId}`;
    const field = (name, label, attrs) => [
      h('label', { for: `${id}-field-${name}`, text: label }),
      h(attrs.rows ? 'textarea' : 'input', { id: `${id}-field-${name}`, name, required: true, ...attrs }),
    ];
    const form = h(
      'form',
      { class: 'grid-form' },
      ...field('outcome', 'Outcome', {
        rows: '2',
        maxlength: '4000',
        placeholder: 'Was the break-glass justified? What happened?',
      }),
      ...field('title', 'Remediation', { maxlength: '1000', placeholder: 'What will stop this from happening again' }),
      ...field('owner', 'Remediation owner', { value: me.id }),
      ...field('due', 'Remediation due', {
        value: 'P14D',
        maxlength: '64',
        title: 'A time (2026-12-01T12:00:00Z) or a duration from now (P14D)',
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Complete' })),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const v = (n) => form.elements[n].value.trim();
      void act(form, `Post-review of ${wo ? wo.externalRef : shortId(row.workOrderId)} completed.`, (retry) =>
        api(
          'POST',
          `/v1/post-reviews/${row.postReviewId}/complete`,
          { outcome: v('outcome'), remediation: { title: v('title'), owner: v('owner'), due: v('due') } },
          retry,
        ),
      );
    });
    return h(
      'article',
      { class: `card${row.overdue ? ' overdue' : ''}`, 'aria-labelledby': `${id}-title` },
      h(
        'h3',
        { id: `${id}-title` },
        row.overdue ? `Overdue by ${duration(row.overdueSeconds * 1000)}` : `Due ${due(row.dueAt)}`,
        ' · ',
        wo ? wo.externalRef : `work order ${shortId(row.workOrderId)}`,
      ),
      details([
        [
          'Work order',
          h(
            'span',
            {},
            workOrderLink(row.workOrderId, wo),
            wo ? h('span', { class: 'muted', text: ` · ${wo.workflow.title}` }) : null,
          ),
        ],
        ['Exception', exception ? `${exception.code} (${exception.status})` : null],
        ['Break-glass', timeCell(row.createdAt, ago(row.createdAt))],
        ['Due', timeCell(row.dueAt, when(row.dueAt))],
      ]),
      form,
    );
  }

  async function showExceptions(params) {
    const owner = params.get('owner') || '';
    const [rows, catalog, everyOwner] = await Promise.all([
      api('GET', `/v1/exceptions${owner ? `?owner=${enc(owner)}` : ''}`),
      codes(),
      owner ? api('GET', '/v1/exceptions') : null,
    ]);
    const select = $('#exception-owner');
    const owners = [...new Set([me.id, ...(everyOwner || rows).map((r) => r.owner)])].sort();
    select.replaceChildren(
      new Option('every owner', ''),
      ...owners.map((o) => new Option(o === me.id ? `${o} (you)` : o, o)),
    );
    select.value = owner;
    const titles = new Map((catalog || []).map((c) => [c.code, c.title]));
    const groups = new Map();
    for (const r of rows) groups.set(r.owner, [...(groups.get(r.owner) || []), r]);
    const sections = [...groups].map(([who, list]) =>
      h(
        'div',
        { class: 'group' },
        h('h3', { text: `${who}${who === me.id ? ' (you)' : ''} · ${list.length} open` }),
        h(
          'div',
          { class: 'list' },
          list.map((r) => exceptionCard(r, titles.get(r.code))),
        ),
      ),
    );
    $('#exceptions-list').replaceChildren(
      ...(sections.length ? sections : [h('p', { class: 'empty', text: 'No open exception.' })]),
    );
    return `${rows.length} open exception${rows.length === 1 ? '' : 's'}.`;
  }

  function exceptionCard(row, title) {
    const id = `exception-${row.exceptionId}`;
    const form = h(
      'form',
      { class: 'grid-form' },
      h('label', { for: `${id}-resolution`, text: 'Resolution' }),
      h('textarea', {
        id: `${id}-resolution`,
        name: 'resolution',
        rows: '2',
        maxlength: '4000',
        placeholder: 'How it was resolved',
      }),
      h('label', { for: `${id}-kind`, text: 'Evidence kind' }),
      h('input', { id: `${id}-kind`, name: 'kind', maxlength: '100', placeholder: 'e.g. call-log' }),
      h('label', { for: `${id}-ref`, text: 'Evidence' }),
      h('input', { id: `${id}-ref`, name: 'ref', maxlength: '2000', placeholder: 'link, document or note' }),
      h('div', { class: 'actions' }, h('button', { type: 'submit', text: 'Resolve' })),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const v = (n) => form.elements[n].value.trim();
      const body = {
        ...(v('resolution') ? { resolution: v('resolution') } : {}),
        ...(v('ref') ? { evidence: [{ kind: v('kind') || 'note', ref: v('ref') }] } : {}),
      };
      void act(form, `${row.code} on ${row.externalRef} resolved.`, (retry) =>
        api('POST', `/v1/exceptions/${row.exceptionId}/resolve`, body, retry),
      );
    });
    const late = Date.parse(row.dueAt) < Date.now();
    return h(
      'article',
      { class: `card${late ? ' overdue' : ''}`, 'aria-labelledby': `${id}-title` },
      h('h3', { id: `${id}-title` }, `${row.code} · ${row.externalRef}`),
      title ? h('p', { class: 'muted', text: title }) : null,
      details([
        [
          'Work order',
          h(
            'span',
            {},
            h('a', { href: `#/work-orders/${row.workOrderId}`, text: row.externalRef }),
            h('span', { class: 'muted', text: ` · ${row.source} · ${row.jobType}` }),
          ),
        ],
        ['Due', h('span', { class: late ? 'error' : '' }, timeCell(row.dueAt, due(row.dueAt)))],
        ['Raised', timeCell(row.raisedAt, ago(row.raisedAt))],
        ['Step', row.stepId],
        ['Open remediations', row.remediationsOpen ? String(row.remediationsOpen) : null],
      ]),
      form,
    );
  }

  // Routing and signing in --------------------------------------------------------------------

  /** Where a sign-in without a page in the address lands: the work the caller's roles can do. */
  function landing() {
    if (me.roles.includes('approver') || me.roles.includes('ops-lead')) return 'approvals';
    if (me.roles.includes('operator')) return 'exceptions';
    return 'work-orders';
  }

  /** `#/page/arg?query` → the page to show. */
  function parseHash() {
    const [path, query] = (location.hash.replace(/^#\/?/, '') || landing()).split('?');
    const [page, arg] = path.split('/');
    return { page, arg, params: new URLSearchParams(query || '') };
  }

  let showing = 0;
  async function route(afterAction) {
    if (!me) return;
    const { page, arg, params } = parseHash();
    const pages = {
      approvals: () => showApprovals(),
      'work-orders': () => (arg ? showWorkOrder(arg) : showWorkOrders(params)),
      receipts: () => showReceipt(arg),
      'post-reviews': () => showPostReviews(),
      exceptions: () => showExceptions(params),
    };
    const show = pages[page] || pages.approvals;
    const section =
      page === 'work-orders' && arg ? 'work-order' : page === 'receipts' ? 'receipt' : pages[page] ? page : 'approvals';
    for (const s of document.querySelectorAll('main section')) s.hidden = s.dataset.page !== section;
    for (const a of document.querySelectorAll('nav a[data-page]')) {
      if (a.dataset.page === (section === 'work-order' ? 'work-orders' : section))
        a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    if (section !== 'work-order')
      document.title = `${$(`#page-${section} h2`)?.textContent || 'console'} — workgate console`;
    const mine = ++showing;
    cache = new Map();
    document.body.dataset.state = 'loading';
    try {
      const summary = await show();
      if (mine !== showing) return;
      document.body.dataset.state = 'ready';
      if (!afterAction) status(summary);
    } catch (error) {
      if (mine !== showing) return;
      document.body.dataset.state = 'ready';
      status(error.message, true);
    }
  }

  async function signIn() {
    try {
      me = await api('GET', '/v1/me');
    } catch (error) {
      me = null;
      sessionStorage.removeItem(KEY);
      document.body.dataset.state = 'signed-out';
      status(error.status === 401 ? 'That API key is not known.' : error.message, true);
      return;
    }
    $('#who').textContent = `Signed in as ${me.id} (${me.roles.join(', ')})`;
    const workflows = await api('GET', '/v1/workflows').catch(() => []);
    const select = $('#wo-job-type');
    select.replaceChildren(
      new Option('any', ''),
      ...[...new Set(workflows.map((w) => w.jobType))].sort().map((j) => new Option(j, j)),
    );
    await route();
  }

  function signOut() {
    sessionStorage.removeItem(KEY);
    me = null;
    $('#who').textContent = '';
    for (const id of [
      '#approvals-list',
      '#work-orders-list',
      '#work-order',
      '#receipt',
      '#post-reviews-list',
      '#exceptions-list',
    ])
      $(id).replaceChildren();
    document.body.dataset.state = 'signed-out';
    status('Signed out. Sign in with your API key.');
    $('#api-key').focus();
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#sign-in').addEventListener('submit', (event) => {
      event.preventDefault();
      sessionStorage.setItem(KEY, $('#api-key').value.trim());
      $('#api-key').value = '';
      void signIn();
    });
    $('#sign-out').addEventListener('click', signOut);
    $('#work-order-search').addEventListener('submit', (event) => {
      event.preventDefault();
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(event.currentTarget)) if (String(v).trim()) p.set(k, String(v).trim());
      const hash = `#/work-orders?${p}`;
      if (location.hash === hash) void route();
      else location.hash = hash;
    });
    $('#exception-filter').addEventListener('submit', (event) => {
      event.preventDefault();
      const owner = $('#exception-owner').value;
      const hash = owner ? `#/exceptions?owner=${enc(owner)}` : '#/exceptions';
      if (location.hash === hash) void route();
      else location.hash = hash;
    });
    for (const b of document.querySelectorAll('[data-refresh]')) b.addEventListener('click', () => void route());
    window.addEventListener('hashchange', () => void route());
    if (sessionStorage.getItem(KEY)) void signIn();
  });
})();
