/**
 * Linux network interface names, which `wg-quick` also derives from a config
 * file's name: 1-15 characters. We allow the ones `wg-quick` accepts, minus a
 * leading `-` (it would read as an option) and the names `.` and `..`.
 */
const interfaceName = /^(?!\.{1,2}$)[A-Za-z0-9_=+.][A-Za-z0-9_=+.-]{0,14}$/;
const disallowedCharacters = /[^A-Za-z0-9_=+.-]/g;
const maxLength = 15;

/** Whether `name` can be used as an interface name. */
export function isInterfaceName(name: string): boolean {
  return interfaceName.test(name);
}

/**
 * An interface name made from free text (a brand, a region): disallowed
 * characters become `_`, the result is cut to 15 characters, and `fallback`
 * is used when nothing usable is left.
 */
export function toInterfaceName(label: string, fallback: string): string {
  const name = label.replace(disallowedCharacters, "_").replace(/^-+/, "").slice(0, maxLength);
  return isInterfaceName(name) ? name : fallback;
}
