// What a page showing a fresh set of recovery codes needs: the codes, and the same text as a file
// to download (a data: link — no script needed, nothing stored).
export function recoveryCodesView(codes: string[], issuer = ''): Record<string, unknown> {
  const text = [
    `Recovery codes${issuer ? ` for ${issuer}` : ''}`,
    'Each code works once, in place of your second factor. Keep them somewhere safe.',
    '',
    ...codes,
    '',
  ].join('\n');
  return { codes, text, download: `data:text/plain;charset=utf-8,${encodeURIComponent(text)}` };
}
