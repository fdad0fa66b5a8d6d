// @ts-check
/* The designer's YAML editor: CodeMirror 6 as its packages ship it (ES modules resolved by the
 * page's import map), with line numbers, YAML highlighting and indentation, undo, and the
 * validator's problems as lint diagnostics at their lines (set from outside: the API checks).
 * It lives in the shadow root of its box: the console's styles stop at its edge, its own theme
 * (below) sets its look. */
import { EditorState } from '@codemirror/state';
import {
  drawSelection,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  keymap,
  lineNumbers,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { yaml } from '@codemirror/lang-yaml';
import { forEachDiagnostic, lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';

/** The editor's look: the console's font sizes and colours, a box that grows with the text up to a height. */
const look = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: '#fff', border: '1px solid var(--line)', borderRadius: '6px' },
  '&.cm-focused': { outline: '2px solid var(--accent)', outlineOffset: '-1px' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', lineHeight: '1.5' },
  '.cm-content': { minHeight: '24em' },
  '.cm-gutters': { backgroundColor: '#f6f7f9', borderRight: '1px solid var(--line)', color: 'var(--muted)' },
});

/**
 * An editor of `text` in `parent`, named `label` for assistive technology; `onChange(text)` after
 * each change of the text. Answers the view and `show(diagnostics)`, which replaces what it marks.
 * @param {HTMLElement} parent
 * @param {string} text
 * @param {string} label
 * @param {(text: string) => void} onChange
 */
export function yamlEditor(parent, text, label, onChange) {
  // In a shadow root the editor's generated styles are a constructed style sheet, not a <style>
  // element that the page's CSP (style-src 'self', nothing inline) would refuse.
  const root = parent.attachShadow({ mode: 'open' });
  const view = new EditorView({
    parent: root,
    root,
    state: EditorState.create({
      doc: text,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        lintGutter(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        yaml(),
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap]),
        EditorView.lineWrapping,
        EditorView.contentAttributes.of({ 'aria-label': label }),
        look,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    view,
    text: () => view.state.doc.toString(),
    /**
     * Marks `diagnostics` ({from, to, severity, message}), kept inside the text as it is now.
     * @param {import('@codemirror/lint').Diagnostic[]} diagnostics
     */
    show(diagnostics) {
      const length = view.state.doc.length;
      const inside = diagnostics.map((d) => ({
        ...d,
        from: Math.min(d.from, length),
        to: Math.min(Math.max(d.to, d.from), length),
      }));
      view.dispatch(setDiagnostics(view.state, inside));
    },
    /** The lines that carry a diagnostic now, with its severity and message (what the gutter marks). */
    marked() {
      /** @type {Array<{ line: number, severity: string, message: string }>} */
      const out = [];
      forEachDiagnostic(view.state, (d, from) =>
        out.push({ line: view.state.doc.lineAt(from).number, severity: d.severity, message: d.message }),
      );
      return out;
    },
    /**
     * Puts the cursor at `offset` and brings it into view.
     * @param {number} offset
     */
    reveal(offset) {
      view.dispatch({ selection: { anchor: Math.min(offset, view.state.doc.length) }, scrollIntoView: true });
      view.focus();
    },
  };
}
