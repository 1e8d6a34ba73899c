import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from './api.js';
import { html } from './html.js';

/**
 * A modal dialog on the native <dialog>: focus moves into it and stays there, Escape
 * closes it, and focus returns to what opened it.
 */
export function Dialog({ open, title, onClose, children, labelledBy }) {
  const ref = useRef(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  const id = labelledBy || `dlg-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return html`<dialog ref=${ref} class="dialog" aria-labelledby=${id} onClose=${() => onClose && onClose()}>
    ${open && html`<div class="dialog-body">
      <h2 id=${id}>${title}</h2>
      ${children}
    </div>`}
  </dialog>`;
}

/** A message in the page: errors are announced (role=alert), successes politely (role=status). */
export function Notice({ notice, onDismiss }) {
  if (!notice) return null;
  const kind = notice.kind || 'error';
  return html`<div class=${`notice notice-${kind}`} role=${kind === 'error' ? 'alert' : 'status'}>
    <p>${notice.text}</p>
    ${onDismiss && html`<button type="button" class="link" onClick=${onDismiss} aria-label="Dismiss message">Dismiss</button>`}
  </div>`;
}

/** Notice state plus a helper that runs an action and turns a refusal into a message. */
export function useNotice() {
  const [notice, setNotice] = useState(null);
  const run = async (fn, success) => {
    try {
      const out = await fn();
      setNotice(success ? { kind: 'success', text: typeof success === 'function' ? success(out) : success } : null);
      return { ok: true, value: out };
    } catch (err) {
      setNotice({ kind: 'error', text: describeError(err), code: err && err.code });
      return { ok: false, error: err };
    }
  };
  return { notice, setNotice, run };
}

/** Asks before doing something that cannot simply be undone. */
export function ConfirmDialog({ open, title, message, confirmLabel, danger, onConfirm, onCancel }) {
  return html`<${Dialog} open=${open} title=${title} onClose=${onCancel}>
    <p>${message}</p>
    <div class="dialog-actions">
      <button type="button" onClick=${onCancel}>Cancel</button>
      <button type="button" class=${danger ? 'danger' : 'primary'} onClick=${onConfirm}>${confirmLabel}</button>
    </div>
  <//>`;
}

export function Badge({ kind, children }) {
  return html`<span class=${`badge badge-${kind}`}>${children}</span>`;
}

/** A labelled on/off switch (a checkbox underneath, so Space toggles it). */
export function Switch({ id, label, checked, disabled, onChange, hint }) {
  return html`<div class="switch-row">
    <input type="checkbox" role="switch" id=${id} checked=${checked} disabled=${disabled} onChange=${(e) => onChange(e.currentTarget.checked)} aria-describedby=${hint ? `${id}-hint` : undefined} />
    <label for=${id}>${label}</label>
    ${hint && html`<p class="hint" id=${`${id}-hint`}>${hint}</p>`}
  </div>`;
}

/** Copies a value to the clipboard; says so on the button. */
export function CopyButton({ text, label }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return html`<button type="button" class="small" aria-label=${label} onClick=${copy}>${copied ? 'Copied' : 'Copy'}</button>`;
}

/** Shows a secret once, with a copy button; it is never shown again. */
export function SecretOnce({ label, secret }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return html`<div class="secret">
    <label for="secret-value">${label}</label>
    <div class="secret-row">
      <input id="secret-value" class="mono" readonly value=${secret} onFocus=${(e) => e.currentTarget.select()} />
      <button type="button" onClick=${copy}>${copied ? 'Copied' : 'Copy'}</button>
    </div>
    <p class="hint">Copy it now: orgbridge keeps only a hash and cannot show it again.</p>
  </div>`;
}

/**
 * A text input with the server's length limit shown, never enforced by silent cutting
 * (no maxlength: a pasted 500-character name is kept whole and refused with a message).
 * Over the limit the browser's own form check refuses the submit with the same message
 * (setCustomValidity), so no request is sent; the counter says how far over it is.
 */
export function LimitedInput({ id, value, max, label, onInput, required, placeholder, type, autocomplete, describedBy, className }) {
  const ref = useRef(null);
  const n = value.length;
  const over = n > max;
  const message = over ? `${label} can be at most ${max} characters (this one has ${n}).` : '';
  useEffect(() => {
    if (ref.current) ref.current.setCustomValidity(message);
  }, [message]);
  const counterId = `${id}-count`;
  return html`<span class=${`limited ${className || ''}`}>
    <input ref=${ref} id=${id} type=${type || 'text'} value=${value} required=${required} placeholder=${placeholder} autocomplete=${autocomplete}
      aria-invalid=${over ? 'true' : undefined} aria-describedby=${[counterId, describedBy].filter(Boolean).join(' ')}
      onInput=${(e) => onInput(e.currentTarget.value)} />
    <span id=${counterId} class=${`counter${over ? ' error' : ''}`} aria-live=${over ? 'assertive' : 'off'}>${over ? message : `${n} / ${max}`}</span>
  </span>`;
}

/** A long value in a narrow place: cut with an ellipsis, the whole of it on hover (title) and to screen readers. */
export function Clip({ text, className }) {
  return html`<span class=${`clip ${className || ''}`} title=${text}>${text}</span>`;
}

/** A column header that sorts: a button inside the th, aria-sort on the th (WAI-ARIA sortable table). */
export function SortHeader({ label, column, sort, onSort, className }) {
  const active = sort === column || sort === `-${column}`;
  const desc = sort === `-${column}`;
  const next = active && !desc ? `-${column}` : column;
  return html`<th scope="col" class=${className} aria-sort=${active ? (desc ? 'descending' : 'ascending') : 'none'}>
    <button type="button" class="sort" onClick=${() => onSort(next)}>${label}<span aria-hidden="true" class="sort-mark">${active ? (desc ? ' ▼' : ' ▲') : ''}</span></button>
  </th>`;
}
