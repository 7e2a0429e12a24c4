// Reading the console's HTML forms: a trimmed text field, or undefined when empty or missing.
export function field(form: FormData, name: string): string | undefined {
  const v = form.get(name);
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}
