// Run in a report page by layout_helpers.overflow_problems: horizontal overflow of the
// document, and words broken across lines because their box is too narrow.
(() => {
  const out = [];
  const doc = document.documentElement;
  const vw = doc.clientWidth;
  if (doc.scrollWidth > vw + 1) out.push(`page is ${doc.scrollWidth}px wide in a ${vw}px window`);
  const range = document.createRange();
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (el.closest('thead') && getComputedStyle(el.closest('thead')).position === 'absolute') continue;  // visually hidden header of a reflowed table
    if (r.right > vw + 1 && !el.closest('svg')) {
      out.push(`<${el.tagName.toLowerCase()} class="${el.className && el.className.baseVal === undefined ? el.className : ''}"> ends at ${Math.round(r.right)}px: ${(el.textContent || '').trim().slice(0, 50)}`);
      continue;
    }
    if (!['TD', 'TH', 'DD', 'DT', 'P', 'LI', 'SPAN', 'CAPTION', 'H1', 'H2', 'H3', 'H4'].includes(el.tagName)) continue;
    if (el.closest('.digest')) continue;  // SHA-256 digests may break anywhere
    // A word wider than its box: each text node's words measured one by one.
    for (const node of el.childNodes) {
      if (node.nodeType !== 3) continue;
      const text = node.textContent;
      // Words, split where a line may break anyway (hyphens, slashes, dots in file names).
      const re = /[^\s\-\u2010-\u2014\/._]+/g; let m;
      while ((m = re.exec(text)) !== null) {
        if (m[0].length < 2) continue;
        range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
        const rects = [...range.getClientRects()].filter(q => q.width > 0.5);
        if (rects.length > 1) {
          out.push(`word "${m[0].slice(0, 30)}" broken across lines in a ${Math.round(r.width)}px <${el.tagName.toLowerCase()}>: ${text.trim().slice(0, 60)}`);
          break;
        }
      }
    }
  }
  return out;
})
