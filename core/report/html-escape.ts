// Text and attribute values for the report page: every value from the backend or a log (names,
// policies, key IDs) goes through this, so none can add markup. Pure.

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `s` with `& < > " '` as character references: safe as element text and as a quoted attribute value. */
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
