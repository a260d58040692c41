// Forms filled as a person fills them: a field is found by the words of its label, not by its name.
const strip = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();

/** The `name` of the field whose label reads `label` (fails when the page has no such label or field). */
export function fieldLabelled(html: string, label: string): string {
  const found = [...html.matchAll(/<label[^>]*\bfor="([^"]+)"[^>]*>([\s\S]*?)<\/label>/g)].find(([, , text]) => strip(text!) === label);
  if (!found) throw new Error(`no label "${label}" in:\n${html.slice(0, 2000)}`);
  const id = found[1]!;
  const field = [...html.matchAll(/<(?:input|select|textarea)\b[^>]*>/g)].map(([tag]) => tag).find((tag) => tag.includes(` id="${id}"`));
  const name = field ? /\bname="([^"]+)"/.exec(field)?.[1] : undefined;
  if (!name) throw new Error(`the label "${label}" names no field (id ${id})`);
  return name;
}

/** Form values keyed by field name, from values keyed by label. */
export function byLabels(html: string, values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([label, value]) => [fieldLabelled(html, label), value]));
}

/** The inside of the form whose action ends with `actionSuffix` (a page may repeat the same labels in several forms). */
export function formWithin(html: string, actionSuffix: string): string {
  const form = [...html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)].find(([, action]) => action!.endsWith(actionSuffix));
  if (!form) throw new Error(`no form with action ending ${actionSuffix}`);
  return form[2]!;
}

/** The option a labelled select shows as chosen (its visible words). */
export function selectedOption(html: string, label: string): string | undefined {
  const name = fieldLabelled(html, label);
  const select = new RegExp(`<select[^>]*name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html)?.[1] ?? '';
  return /<option[^>]*\bselected\b[^>]*>([^<]*)<\/option>/.exec(select)?.[1];
}

/** The value a labelled input shows. */
export function shownValue(html: string, label: string): string | undefined {
  const name = fieldLabelled(html, label);
  return new RegExp(`<input[^>]*name="${name}"[^>]*\\bvalue="([^"]*)"`).exec(html)?.[1];
}
