/** Derives an id (lowercase letters, digits, dashes) from a title: "Mobile access!" -> "mobile-access". */
export function slugify(title: string, maxLength = 48): string {
  const s = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const cut = s.slice(0, maxLength).replace(/-+$/g, '');
  return cut || 'course';
}
