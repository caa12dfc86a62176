/** The admins' Russian texts (see admin-messages.ts). */

import type { User } from "../../cluster/fsm/records.ts";
import type { ServerView } from "../../cluster/fsm/views.ts";
import { shortCertSha256 } from "../../shared/cert-fingerprint.ts";
import { formatDate, formatTime } from "../format.ts";
import {
  type AdminMessages,
  type AdminUsageView,
  adminCommandLines,
  type MemberLine,
  type RehomeCounts,
} from "./admin-messages.ts";
import { type PluralForms, pluralForm } from "./plural.ts";
import { protocolName } from "./protocol-names.ts";
import { recordedRu, VERDICT } from "./recorded-ru.ts";
import { evidenceIn, membershipReasonIn, statusReasonIn } from "./recorded-texts.ts";
import { protocolStates } from "./server-protocols.ts";

/** `count` and the word's form for it: "1 конфиг", "2 конфига", "5 конфигов". */
const counted = (count: number, forms: PluralForms) => `${count} ${pluralForm("ru", count, forms)}`;
const CONFIG = { one: "конфиг", few: "конфига", many: "конфигов", other: "конфига" };
const USER = {
  one: "пользователь",
  few: "пользователя",
  many: "пользователей",
  other: "пользователя",
};
const TO_USERS = {
  one: "пользователю",
  few: "пользователям",
  many: "пользователям",
  other: "пользователям",
};

const SERVER_STATUS: Record<string, string> = {
  active: "активен",
  draining: "выводится",
  banned: "заблокирован",
  down: "не работает",
  removed: "удалён",
};
const TRANSITION: Record<string, string> = {
  ban: "заблокирован",
  markDown: "отмечен как неработающий",
  recover: "снова активен",
};
const USER_STATUS: Record<string, string> = {
  active: "активен",
  pending: "ожидает",
  blocked: "заблокирован",
};
const ROLE: Record<string, string> = { admin: "администратор", user: "пользователь" };
const MEMBER_ROLE: Record<string, string> = { voter: "голосующий", learner: "ученик" };
const TOKEN_STATUS: Record<string, string> = {
  pending: "ожидает",
  redeemed: "использован",
  cancelled: "отменён",
  expired: "истёк",
};
const MEMBERSHIP_CHANGE: Record<string, string> = {
  joined: "вошёл в кластер как ученик",
  promoted: "стал голосующим",
  demoted: "стал учеником",
  removed: "вышел из кластера",
  keyRevoked: "лишился ключа навсегда",
  handedLeadership: "получил лидерство",
};

const refusals: Record<string, string> = {
  UNKNOWN_SERVER: "Такого сервера нет; смотрите /servers.",
  UNKNOWN_USER: "Этот пользователь ещё не запускал бота; сначала он должен отправить /start.",
  UNKNOWN_CONFIG: "Такого конфига нет.",
  CONFIG_ALREADY_REVOKED: "Этот конфиг уже отозван.",
  UNKNOWN_PROBE: "Такой пробы нет; смотрите /probes.",
  PROBE_EXISTS: "Проба с таким id уже есть; сначала удалите её или выберите другой id.",
  INVALID_PROBE_KEY: "Ключ пробы недействителен; добавьте пробу заново.",
  INVALID_PROBE_TRANSPORT:
    "sha256= бывает только с адресом https://, а insecure — только с http://.",
  INVITE_EXISTS: "Такой код приглашения уже есть; выполните /invite ещё раз.",
  INVALID_SETTING: "Это значение недопустимо для этой настройки.",
  UNKNOWN_MEMBER: "Этот узел не входит в кластер; смотрите /servers.",
  MEMBER_REMOVED: "Этот сервер удалён из кластера навсегда.",
  NODE_ID_TAKEN: "Этот id узла уже был выдан серверу, и повторно его не выдают.",
  TOO_MANY_JOIN_TOKENS:
    "Слишком много токенов ожидают; сначала отмените ненужные (/jointokens, /canceljoin).",
  UNKNOWN_JOIN_TOKEN: "Для этого узла нет токена присоединения; смотрите /jointokens.",
  JOIN_TOKEN_CANCELLED: "Этот токен присоединения уже отменён.",
  JOIN_TOKEN_USED: "Этот токен присоединения уже использован.",
  JOIN_TOKEN_EXPIRED: "Срок этого токена присоединения истёк.",
  TOO_FEW_VOTERS:
    "После удаления останется слишком мало голосующих и нет здорового ученика для повышения; сначала добавьте сервер (/addserver).",
  QUORUM_AT_RISK:
    "Без него отвечающих голосующих не хватит для большинства; сначала верните остальных.",
  NO_MEMBER_KEYS: "Ключ этого лидера ещё не закреплён; подождите несколько секунд и повторите.",
  LAST_ADMIN:
    "Это единственный администратор: сначала назначьте другого, иначе управлять ботом будет некому.",
  UPDATE_TOO_OLD: "Команда слишком старая, чтобы её выполнять; отправьте её снова.",
};

const moved = (rehome: RehomeCounts) =>
  ` Перенесено на другие серверы: ${counted(rehome.rehomed, CONFIG)}, без места: ${rehome.withoutCapacity}${rehome.pending === undefined ? "" : `, перенесутся, когда будут готовы ключи: ${rehome.pending}`}.`;

function memberLine(member: MemberLine): string {
  const role = member.isLeader ? "лидер" : (MEMBER_ROLE[member.role] ?? member.role);
  const lag =
    member.lag === null
      ? "отставание неизвестно"
      : `отстаёт на ${counted(member.lag, { one: "запись", few: "записи", many: "записей", other: "записи" })}`;
  const heard =
    member.silentForMs === null
      ? ""
      : `, на связи ${(member.silentForMs / 1000).toFixed(1).replace(".", ",")} с назад`;
  return `• ${member.id} (${role}): ${lag}${heard}`;
}

function transportOf(probe: { url: string; certSha256: string | null; insecure: boolean }) {
  if (probe.certSha256 !== null) return `закреплён SHA-256 ${shortCertSha256(probe.certSha256)}`;
  if (probe.insecure) return "⚠️ НЕБЕЗОПАСНО: простой http, токен идёт по сети незашифрованным";
  if (probe.url.startsWith("http:"))
    return "⚠️ не опрашивается: http:// без insecure; удалите и добавьте заново с https:// (или insecure)";
  return "сертификат проверяется по системным CA";
}

const ispOf = (isp: string) => (isp === "" ? "провайдер неизвестен" : `провайдер ${isp}`);
const tokenNote = (deleted: boolean) =>
  deleted
    ? "Ваше сообщение с токеном удалено из этого чата."
    : "Не удалось удалить ваше сообщение с токеном: пожалуйста, удалите его сами.";

const text = (value: string | number | boolean | null | undefined) =>
  value === null || value === undefined ? "" : String(value);
const statusReason = (recorded: string) => statusReasonIn(recorded, recordedRu);
const passphraseNote = (deleted: boolean) =>
  deleted
    ? "Ваше сообщение с паролем удалено из этого чата."
    : "Не удалось удалить ваше сообщение с паролем: пожалуйста, удалите его сами.";

/** `Трафик: 1.2 ГБ из 5 ГБ (24 %); отправлено 0.2 ГБ, получено 1 ГБ; сброс 2026-07-01`. */
function trafficLine(usage: AdminUsageView): string {
  const quota = usage.quota === null ? "без ограничений" : `из ${usage.quota} (${usage.percent} %)`;
  const state = usage.suspended
    ? "; ПРИОСТАНОВЛЕН (квота исчерпана)"
    : usage.lifted
      ? "; приостановка снята"
      : "";
  return `Трафик: ${usage.used} ${quota}${usage.quotaIsDefault ? ", квота по умолчанию" : ""}; отправлено ${usage.upload}, получено ${usage.download}; сброс ${usage.resetsAt}${state}`;
}

function serverLine(server: ServerView): string {
  const load = `${server.liveConfigs}/${server.capacity} конфигов`;
  const endpoint = server.endpointHost
    ? `${server.endpointHost}:${server.listenPort}`
    : "адреса пока нет";
  const lastCheck = server.checks.recent.at(-1);
  const check = lastCheck
    ? `${VERDICT[lastCheck.verdict]}, ${formatTime(lastCheck.at)}`
    : "ещё не было";
  const reason =
    server.status !== "active" && server.statusReason
      ? ` (${statusReason(server.statusReason)})`
      : "";
  const blocked = server.blockedProtocols.map(({ protocol }) => protocolName(protocol));
  const mark =
    blocked.length > 0
      ? `, 🚫 ${pluralForm("ru", blocked.length, { one: "заблокирован", other: "заблокированы" })} ${blocked.join(", ")}`
      : "";
  return `• ${server.id} [${server.region}] ${SERVER_STATUS[server.status]}${reason}${mark}: ${load}, ${endpoint}, последняя проверка: ${check}`;
}

function userLine(user: User): string {
  return `• ${user.id} ${user.name || "(без имени)"}: ${ROLE[user.role]}, ${USER_STATUS[user.status]}, с ${formatDate(user.createdAt)}`;
}

const commandDescriptions: AdminMessages["commandDescriptions"] = {
  servers: "Серверы: статус, нагрузка, адрес, последняя проверка",
  server: "/server <id>: сервер и его последние проверки",
  checknow: "/checknow <server>: проверить сервер на блокировку сейчас",
  metrics: "Лидер, срок, индекс фиксации, участники, итоги",
  ban: "/ban <server> [reason]: вывести сервер, перенести пользователей",
  unban: "/unban <server>: вернуть сервер в работу",
  drain: "/drain <server> [reason]: не выдавать новые конфиги на сервере",
  addserver: "/addserver [region] [capacity]: токен для нового сервера",
  jointokens: "Токены присоединения: ожидают, истекли, использованы, отменены",
  canceljoin: "/canceljoin <node id>: отменить токен присоединения",
  removeserver: "/removeserver <id>: перенести пользователей, удалить сервер навсегда",
  probes: "/probes [list|add|remove]: пробы, проверяющие фильтрацию",
  users: "Пользователи и их статус",
  user: "/user <id> [quota <ГБ>]: трафик и квота, блокировка, разблокировка, отзыв конфигов",
  invite: "/invite [uses]: создать ссылку-приглашение",
  approve: "Пользователи, ждущие одобрения",
  broadcast: "/broadcast <text>: сообщение всем пользователям",
  accessmode: "/accessmode open|invite|approval",
  promote: "/promote <id>: сделать пользователя администратором",
  demote: "/demote <id>: сделать администратора пользователем",
  backup: "Зашифрованная резервная копия; /backup passphrase <текст> задаёт её пароль",
  leader: "Какой узел сейчас ведёт бота",
  stepdown: "Передать лидерство другому узлу",
  voters: "/voters [<id узлов>|any]: кто может голосовать и быть лидером",
};

export const adminRu: AdminMessages = {
  commandDescriptions,
  help: ["Команды администратора:", ...adminCommandLines(commandDescriptions)].join("\n"),
  usage: (form, explanation) => `Формат: ${form}${explanation ? `\n${explanation}` : ""}`,
  refusal: (code, detail) => refusals[code] ?? `Ничего не сделано: ${detail}.`,
  cancelButton: "Отмена",

  inviteUsage: (maxUses) => `число использований от 1 до ${maxUses} (по умолчанию 1)`,
  inviteCreated: (uses, link, code) =>
    `Приглашение на ${counted(uses, { one: "пользователя", other: "пользователей" })}:\n${link}\nИли отправьте боту: /start ${code}`,
  accessModeUsage: (_modes, current) => `сейчас: ${current}`,
  accessModeSet: (mode) => `Режим доступа теперь ${mode}.`,
  votersShown: (candidates) =>
    candidates
      ? `Голосовать и быть лидером могут только: ${candidates.join(", ")}. Остальные работают учениками.\n/voters any разрешает голосовать всем.`
      : "Голосовать и быть лидером может любой узел.\n/voters <id узлов> оставляет голос только названным (не меньше 3), например серверам, которые вряд ли изымут.",
  votersUsage: (candidates) =>
    `от 3 до 64 id узлов (см. /leader) или any; сейчас: ${candidates ? candidates.join(", ") : "any"}`,
  votersSet: (candidates) =>
    candidates
      ? `Теперь голосовать и быть лидером могут только ${candidates.join(", ")}: лидер или голосующий вне списка передаёт роль и становится учеником, но голосующих не меньше 3.`
      : "Снова голосовать и быть лидером может любой узел.",
  votersWithoutLeaderCredentials: (ids) =>
    `У ${ids.join(", ")} нет токена бота или ключей данных, поэтому ${ids.length === 1 ? "голосующим он не станет" : "голосующими они не станут"}: задайте там BOT_TOKEN и DATA_KEYS и перезапустите.`,
  votersOthersHoldCredentials: (ids) =>
    `${ids.join(", ")} не в списке кандидатов, но ещё ${ids.length === 1 ? "может" : "могут"} хранить ключи данных и токен бота: смените и то и другое (новый ключ данных, новый токен у @BotFather) и отдайте только кандидатам.`,
  nobodyWaiting: "Никто не ждёт одобрения.",
  waitingHeading: (count) => `Ждут одобрения (${count}):`,
  waitingLine: (user) => `• ${user.id} ${user.name || "(без имени)"}`,
  rejectButton: "❌ Отклонить",
  approvedToast: "Одобрен",
  rejectedToast: "Отклонён",
  userApproved: (userId) => `Пользователь ${userId} одобрен и уведомлён.`,
  userRejected: (userId) => `Пользователь ${userId} отклонён (заблокирован) и уведомлён.`,

  broadcastUsage: (maxLength) => `текст длиной от 1 до ${maxLength} символов`,
  broadcastSendButton: (users) => `📣 Отправить ${counted(users, TO_USERS)}`,
  broadcastQueued: (users) => `Рассылка поставлена в очередь: ${counted(users, USER)}.`,
  broadcastCancelled: "Рассылка отменена; ничего не отправлено.",

  metrics: (view) =>
    [
      `Лидер: ${view.leaderId ?? "нет"}, срок ${view.term}`,
      `Индекс фиксации: ${view.commitIndex}, применено: ${view.appliedIndex}`,
      "Участники:",
      ...view.members.map(memberLine),
      `Серверы: ${view.servers} (заблокировано: ${view.bannedServers})`,
      `Пользователи: ${view.users}`,
      `Живые конфиги: ${view.liveConfigs}`,
      `Исходящие: ожидают ${view.pendingOutbox}, в очереди доставки этого узла ${view.queuedDeliveries ?? "?"}`,
      `Проверки блокировок: ${view.queuedChecks === undefined ? "?" : counted(view.queuedChecks, { one: "задача", few: "задачи", many: "задач", other: "задачи" })} в очереди этого узла`,
    ].join("\n"),
  chart: {
    fleetTitle: "Все серверы, последние 24 часа",
    serverTitle: (serverId) => `Сервер ${serverId}, последние 24 часа`,
    subtitle: (charted, total) =>
      charted < total
        ? `${charted} из ${counted(total, { one: "сервера", other: "серверов" })}, сначала с большим числом конфигов; время UTC`
        : "время UTC",
    configsIssued: "Выдано конфигов за час",
    activePeers: "Активные пиры (максимум за час)",
    traffic: "Трафик за час, МБ (принято + отправлено)",
    banChecks: "Проверки блокировок: худший итог за час",
    verdicts: VERDICT,
    digits: (text) => text,
    caption: (title) =>
      `${title}: выданные конфиги, активные пиры, трафик и проверки блокировок по часам (UTC).`,
    notDrawn: (code, message) => `Не удалось нарисовать график (${code}): ${message}`,
  },
  leaderRunsBot: (nodeId, term, members) =>
    [
      `Узел ${nodeId} лидирует в сроке ${term} и ведёт бота.`,
      "Участники:",
      ...members.map(memberLine),
    ].join("\n"),
  noOtherVoter: "Лидерство остаётся здесь: передать его некому, других голосующих нет.",
  handingOver: "Передаю лидерство самому актуальному узлу; бот продолжит там через мгновение.",

  addServerUsage: (maxCapacity) =>
    `регион: 1-32 символа из A-Z a-z 0-9 _ . -, ёмкость: целое число от 1 до ${maxCapacity}`,
  addServerHandledBefore:
    "Эта /addserver уже выполнена; смотрите /jointokens или выполните её снова.",
  noJoinToken: (reason) => `Токен присоединения не создан. ${reason}`,
  joinTokenIntro: (nodeId, expiresAt) =>
    `Токен присоединения для ${nodeId}, действует до ${formatTime(expiresAt)}:\n`,
  joinTokenHowTo: "\n\nНа новом VPS в копии репозитория выполните:\n",
  joinTokenOutro:
    "\nили задайте JOIN_TOKEN=<токен выше> в его окружении. После использования токен недействителен.",
  joinTokenPlaceholder: "<токен выше>",
  joinTokensEmpty: "Токенов присоединения пока нет; создайте командой /addserver.",
  joinTokens: (tokens) =>
    [
      `Токены присоединения (${tokens.length}):`,
      ...tokens.map((token) => {
        const place = [token.region, token.capacity === null ? null : `ёмкость ${token.capacity}`]
          .filter((part) => part !== null)
          .join(", ");
        return `• ${token.nodeId}${place ? ` (${place})` : ""}: ${TOKEN_STATUS[token.status] ?? token.status}, создал ${token.createdBy} ${formatTime(token.createdAt)}, истекает ${formatTime(token.expiresAt)}`;
      }),
    ].join("\n"),
  joinCancelled: (nodeId) =>
    `Токен присоединения для ${nodeId} отменён; он больше никого не впустит.`,
  notAMember: (nodeId) => `${nodeId} не входит в этот кластер; смотрите /servers.`,
  removeConfirm: (nodeId, liveConfigs) =>
    `${nodeId} будет выведен: ${counted(liveConfigs, CONFIG)} перейдут на другие серверы с новыми ключами, пользователей уведомят; узел выйдет из кластера, его ключ будет отозван навсегда, и он остановится. Удалить?`,
  removeButton: (nodeId) => `Подтвердить: удалить ${nodeId}`,
  notRemoved: (nodeId, reason) => `${nodeId} не удалён. ${reason}`,
  beingRemoved: (nodeId, rehome) =>
    `${nodeId} удаляется.${rehome ? moved(rehome) : ""} Скоро он выйдет из кластера, а его ключ будет отозван.`,
  removalCancelled: (nodeId) => `${nodeId} остаётся; ничего не изменилось.`,
  removedAlready: (nodeId, actor, at) => `${nodeId} уже удалён (${actor}, ${formatTime(at)}).`,

  probeAddHelp:
    "Адрес — https://; sha256= закрепляет самоподписанный сертификат агента (отпечаток, который он пишет в журнал при старте). Для простого http:// нужно слово insecure: тогда токен идёт по сети незашифрованным.",
  probesEmpty: (addForm) =>
    `Проб пока нет; проверки блокировок идут только снаружи. Добавить: ${addForm}`,
  probes: (probes) =>
    [
      `Пробы (${probes.length}):`,
      ...probes.map(
        (probe) =>
          `• ${probe.id} [${probe.region}, ${ispOf(probe.isp)}] ${probe.url} (${transportOf(probe)}), добавил ${probe.addedBy} ${formatDate(probe.addedAt)}`,
      ),
    ].join("\n"),
  probeAdded: (probe, deleted) =>
    `Проба ${probe.id} добавлена (${probe.region}, ${ispOf(probe.isp)}): ${probe.url} (${transportOf(probe)})\n${tokenNote(deleted)}`,
  probeInputRefused: (problem, deleted) => `${problem}\n${tokenNote(deleted)}`,
  probeWords: {
    MISSING_PROBE_WORDS: "нужны id, адрес и токен",
    PIN_GIVEN_TWICE: "sha256= указывается один раз",
    TOO_MANY_PROBE_WORDS: "слишком много слов: регион и провайдер — по одному слову",
  },
  probeRemoved: (probeId) =>
    `Проба ${probeId} удалена; проверки блокировок её больше не спрашивают.`,

  servers: (servers) => [`Серверы (${servers.length}):`, ...servers.map(serverLine)].join("\n"),
  serversEmpty: "Серверов пока нет.",
  serverInFull: (server) => {
    const verdicts = [...server.checks.recent]
      .reverse()
      .map(
        (result) =>
          `  ${formatTime(result.at)} ${VERDICT[result.verdict]}: ${evidenceIn(result.verdict, result.evidence, recordedRu)}`,
      );
    const probePeer = server.probePeer
      ? "проверяется рукопожатие WireGuard"
      : "проверяется только TCP (нет пира для проб)";
    const protocols = protocolStates(server).map(({ protocol, blocked }) => {
      const where = blocked?.isps.length ? ` у провайдера ${blocked.isps.join(", ")}` : "";
      const state = blocked ? `заблокирован с ${formatTime(blocked.since)}${where}` : "работает";
      return `${protocolName(protocol)}: ${state}`;
    });
    return [
      serverLine(server),
      `Статус установил ${server.statusActor || "регистрация"}, ${formatTime(server.statusAt)}.`,
      `Проверки: ${probePeer}; подряд фильтруется ${server.checks.consecutiveFiltered}, не работает ${server.checks.consecutiveDown}.`,
      ...(protocols.length > 0 ? [`Протоколы: ${protocols.join("; ")}.`] : []),
      verdicts.length === 0 ? "Проверок ещё не было." : "Последние проверки (новые сверху):",
      ...verdicts,
    ].join("\n");
  },
  noSuchServer: (serverId) => `Сервера ${serverId} нет; смотрите /servers.`,
  checking: (serverId) => `Проверяю ${serverId} отсюда и со всех проб...`,
  notChecked: (serverId, status, hasEndpoint) =>
    `${serverId} не проверяется: он ${SERVER_STATUS[status]}${hasEndpoint ? "" : " и у него ещё нет адреса"}.`,
  checkAnswer: ({ serverId, verdict, evidence, transition }) =>
    `${serverId}: ${VERDICT[verdict]}. ${evidenceIn(verdict, evidence, recordedRu)}${transition === "none" ? "" : ` Статус сервера изменился: ${TRANSITION[transition]}.`}`,
  statusChanged: ({ serverId, from, to, previousReason, reason, rehome }) => {
    const now = `Сервер ${serverId} теперь ${SERVER_STATUS[to]}.${rehome ? moved(rehome) : ""}`;
    if (from === to)
      return `Сервер ${serverId} уже был ${SERVER_STATUS[to]}; причина «${statusReason(previousReason)}» заменена на «${statusReason(reason)}».`;
    if (to === "active" && from === "draining")
      return `${now} Он выводился (${statusReason(previousReason)}), а не был заблокирован: снова принимает новые конфиги.`;
    return from === "active"
      ? now
      : `${now} До этого: ${SERVER_STATUS[from]} (${statusReason(previousReason)}).`;
  },
  alreadyActive: (serverId) => `Сервер ${serverId} уже активен; ничего не изменилось.`,

  users: (users, total) => {
    const more = total > users.length ? `\n… и ещё ${total - users.length}` : "";
    return `Пользователи (${total}):\n${users.map(userLine).join("\n")}${more}\nПодробнее: /user <id>`;
  },
  usersEmpty: "Пользователей пока нет.",
  userInFull: (user, names) => `${userLine(user)}\nЖивые конфиги: ${names.join(", ") || "нет"}`,
  traffic: trafficLine,
  quotaSet: (userId, usage) => `Пользователь ${userId}: ${trafficLine(usage)}`,
  noSuchUser: (userId) => `Пользователь ${userId} не запускал бота.`,
  blockButton: "Заблокировать",
  unblockButton: "Разблокировать",
  revokeConfigsButton: "Отозвать конфиги…",
  userStatusSet: (userId, status, revoked) =>
    `Пользователь ${userId} теперь ${USER_STATUS[status]}.${revoked > 0 ? ` Отозвано: ${counted(revoked, CONFIG)}.` : ""}`,
  noLiveConfigs: (userId) => `У пользователя ${userId} нет живых конфигов.`,
  liveConfigsOf: (userId) => `Живые конфиги ${userId}:`,
  revokeConfigButton: (name, createdAt) => `Отозвать ${name} (${formatDate(createdAt)})`,
  configRevoked: (name, userId) => `Конфиг ${name} пользователя ${userId} отозван.`,
  roleSet: (userId, role) =>
    `Пользователь ${userId} теперь ${role === "admin" ? "администратор" : "обычный пользователь"}.`,
  lastAdmin: (userId) =>
    `${userId} — единственный администратор, поэтому остаётся им: сначала назначьте другого (/promote <id>).`,
  demoteSelfConfirm:
    "Снять с себя права администратора? Команды администратора пропадут сразу; вернуть их сможет только другой администратор.",
  demoteSelfButton: "Да, снять",
  keepAdminButton: "Нет, остаться",
  demoteCancelled: "Вы остаётесь администратором; ничего не изменилось.",

  backupUsage: (minLength) =>
    `пароль не короче ${counted(minLength, { one: "символа", other: "символов" })}; лучше всего несколько случайных слов`,
  backupCaption: ({ createdAt, cluster, counts }, scheduled) =>
    [
      `${scheduled ? "Плановая резервная копия. " : ""}Зашифрованная резервная копия от ${createdAt} (сделал ${cluster.madeBy}): пользователей ${counts.users}, живых конфигов ${counts.liveConfigs} из ${counts.configs}, серверов ${counts.servers}, настроек ${counts.settings}, приглашений ${counts.invites}.`,
      "Клиентских ключей в ней нет. Открыть её можно только паролем резервных копий: npm run restore -- <file> на новом сервере.",
    ].join("\n"),
  noBackup: (scheduled, minLength) =>
    `${scheduled ? "Плановой резервной копии нет" : "Резервной копии нет"}: пароль резервных копий не задан. Администратор задаёт его командой /backup passphrase <текст> (не короче ${counted(minLength, { one: "символа", other: "символов" })}); храните его в надёжном месте: только им открываются копии.`,
  passphraseRefused: (minLength, maxLength, deleted) =>
    `Пароль резервных копий — от ${minLength} до ${counted(maxLength, { one: "символа", other: "символов" })}; лучше всего несколько случайных слов.\n${passphraseNote(deleted)}`,
  passphraseSet: (deleted) =>
    [
      "Пароль резервных копий задан: все следующие копии шифруются для него, и ни один сервер его не хранит (только проверку).",
      "Храните его в надёжном месте, вдали от серверов: без него ни одну копию не открыть, и восстановить его нельзя.",
      passphraseNote(deleted),
    ].join("\n"),

  approvalRequest: (pending, shown) => {
    const names = pending
      .slice(0, shown)
      .map((user) => `${user.name || "(без имени)"} (${user.id})`)
      .join(", ");
    const more = pending.length > shown ? ` и ещё ${pending.length - shown}` : "";
    const waits = pluralForm("ru", pending.length, { one: "ждёт", other: "ждут" });
    return `🕓 ${counted(pending.length, USER)} ${waits} одобрения: ${names}${more}.\nПосмотрите их в /approve.`;
  },
  alert: (payload) => {
    if (payload.event === "serverBanned" || payload.event === "serverRemoved")
      return [
        `⚠️ Сервер ${text(payload.serverId)} ${payload.event === "serverBanned" ? "заблокирован" : "удалён"} (${statusReason(text(payload.reason))}), кто: ${text(payload.actor)}.`,
        `Перенесено на другие серверы: ${text(payload.rehomed)}; без места: ${text(payload.withoutCapacity)}; спросить снова: ${text(payload.pending)}.`,
      ].join("\n");
    if (payload.event === "serverDown")
      return `⚠️ Сервер ${text(payload.serverId)} отмечен как неработающий (${statusReason(text(payload.reason))}); новые конфиги на нём не выдаются, пока проверка снова не пройдёт.`;
    if (payload.event === "protocolBlocked")
      return [
        `⚠️ ${protocolName(text(payload.protocol))} заблокирован на сервере ${text(payload.serverId)}${payload.isps ? ` у провайдера ${text(payload.isps)}` : " (по всем точкам проверки вместе)"}; там он закрыт для новых конфигов.`,
        `Перенесено на тот же протокол в другом месте: ${text(payload.moved)}; выдан другой протокол: ${text(payload.switched)}; без места: ${text(payload.withoutCapacity)}; спросить снова: ${text(payload.pending)}.`,
      ].join("\n");
    if (payload.event === "protocolReopened")
      return `ℹ️ ${protocolName(text(payload.protocol))} снова проходит проверки на сервере ${text(payload.serverId)}; там он снова открыт для новых конфигов.`;
    if (payload.event === "membershipChanged") {
      const change = text(payload.change);
      const reason = text(payload.reason);
      return `ℹ️ Узел ${text(payload.nodeId)} ${MEMBERSHIP_CHANGE[change] ?? change}${reason ? ` (${membershipReasonIn(reason, recordedRu)})` : ""}.`;
    }
    return `⚠️ ${text(payload.event)}: ${JSON.stringify(payload)}`;
  },
};
