/** How a Russian admin reads what the control plane recorded (see recorded-texts.ts). */
import type { Verdict } from "../../cluster/fsm/records.ts";
import { type PluralForms, pluralForm } from "./plural.ts";
import { protocolName } from "./protocol-names.ts";
import type { RecordedTextPhrases } from "./recorded-texts.ts";

export const VERDICT: Record<Verdict, string> = {
  ok: "в порядке",
  filtered: "фильтруется",
  down: "не работает",
  inconclusive: "неясно",
};

/** `count` and the word's form for it. */
const counted = (count: number, forms: PluralForms) => `${count} ${pluralForm("ru", count, forms)}`;
/** "из 1 пробы", "из 3 проб". */
const OF_PROBES = { one: "пробы", other: "проб" };
const OF_ANSWERING = { one: "ответившей пробы", other: "ответивших проб" };

const ACTION = {
  ban: "блокировка",
  unban: "разблокировка",
  drain: "вывод",
  activate: "включение",
} as const;

export const recordedRu: RecordedTextPhrases = {
  status: {
    setByAdmin: ({ action, through }) =>
      `${ACTION[action]} ${through === "bot" ? "по решению администратора" : "через API администратора"}`,
    removedByAdmin: () => "удалён администратором",
    restoredFromBackup: () =>
      "восстановлен из резервной копии: его узел должен зарегистрироваться заново",
    notAnswering: () => "не отвечает",
    filteredInARow: ({ checks }) =>
      `фильтруется в ${counted(checks, { one: "проверке", other: "проверках" })} подряд`,
  },
  membership: {
    joined: ({ peerUrl }) => `присоединился как ученик с адреса ${peerUrl}`,
    replacesRemoved: ({ nodeId }) => `заменяет ${nodeId}, который удаляется`,
    replacesSilent: ({ nodeId }) => `заменяет ${nodeId}, который слишком долго молчит`,
    adminRemovedIt: () => "его удалил администратор",
    neverConnectsAgain: () => "удалён: больше никогда не подключится",
    silentFor: ({ seconds }) => `молчит дольше ${seconds} с`,
    keepsVoters: ({ voters }) =>
      `кластер держит ${counted(voters, { one: "голосующего", other: "голосующих" })}`,
    notVoterCandidate: () => "не входит в список кандидатов в голосующие",
    replacesNonCandidate: ({ nodeId }) =>
      `заменяет ${nodeId}, который не входит в список кандидатов в голосующие`,
    takesOverFromNonCandidate: ({ nodeId }) =>
      `принимает лидерство от ${nodeId}, который не входит в список кандидатов в голосующие`,
  },
  findings: {
    verdict: VERDICT,
    list: ", ",
    clauses: "; ",
    token: (text) => text,
    protocol: protocolName,
    unnamedFailure: "причина не названа",
    controlFails: (failures, working) =>
      `контрольная проверка не проходит: ${failures}${working ? `; контроль проходит: ${working}` : ""}`,
    controlSilent: "контрольные пробы не ответили",
    controlOk: "контроль в порядке",
    filteredAt: (isp, group) => `у провайдера ${isp}: ${group}`,
    filteredOverall: (group) => `по всем пробам вместе: ${group}`,
    groupFails: (failing, answers, failures) =>
      `сбой у ${failing} из ${counted(answers, OF_PROBES)}: ${failures}`,
    noVantages: "пробы не добавлены",
    tooFewAnswers: (answered, needed) => `ответов от проб: ${answered}, нужно ${needed}`,
    answeringFail: (failing, answers) => `сбой у ${failing} из ${counted(answers, OF_ANSWERING)}`,
    silence: (silent, of) => `без ответа ${silent} из ${counted(of, OF_PROBES)}`,
    protocolVerdict: (protocol, verdict) => `${protocol}: ${verdict}`,
    everyProtocolBlocked: "заблокированы все протоколы",
    protocolBlocked: (protocol, findings) => `${protocol} фильтруется ${findings}`,
    serverVerdict: (verdict, findings) => `сервер: ${verdict}, ${findings}`,
  },
  asWritten: (text) => text,
};
