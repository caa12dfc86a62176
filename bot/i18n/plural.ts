/**
 * The form of a word that goes with a count, by each language's own plural
 * rules (Intl.PluralRules): English has one and other, Russian one, few and
 * many (1 конфиг, 2 конфига, 5 конфигов, 21 конфиг), Persian keeps the noun
 * singular after a number.
 */
import type { Language } from "../../cluster/fsm/records.ts";

/** A word's forms by plural category; `other` is the fallback for any category not given. */
export type PluralForms = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

const rules = new Map<Language, Intl.PluralRules>();

/** The form of a word `count` takes in `language`. */
export function pluralForm(language: Language, count: number, forms: PluralForms): string {
  let rule = rules.get(language);
  if (!rule) {
    rule = new Intl.PluralRules(language);
    rules.set(language, rule);
  }
  return forms[rule.select(count)] ?? forms.other;
}
