/** The bot's Russian texts. */
import type { Messages } from "./messages.ts";

export const ru: Messages = {
  languageName: "Русский",
  commandDescriptions: {
    start: "Начало: приветствие и меню",
    config: "Получить конфиг VPN",
    myconfigs: "Мои конфиги: скачать или отозвать",
    language: "Сменить язык",
    help: "Как пользоваться ботом",
  },
  welcome: (name) =>
    `Привет, ${name}! Этот бот выдаёт личный конфиг VPN (WireGuard). Нажмите «Получить конфиг», чтобы начать.`,
  menuGetConfig: "🔑 Получить конфиг",
  menuMyConfigs: "📂 Мои конфиги",
  menuLanguage: "🌐 Язык",
  menuHelp: "❓ Помощь",
  help: [
    "/config: получить новый конфиг (файл и QR-код)",
    "/myconfigs: ваши конфиги: скачать снова или отозвать",
    "/language: сменить язык",
    "/help: это сообщение",
    "",
    "Никому не передавайте конфиг: любой, у кого есть файл, пользуется вашим доступом.",
  ].join("\n"),
  needInvite:
    "Этот бот работает по приглашениям. Откройте полученную ссылку-приглашение или отправьте: /start <код приглашения>",
  awaitingApproval:
    "Спасибо! Администраторов попросили вас одобрить. Когда это произойдёт, вы получите сообщение здесь.",
  blocked: "Ваш доступ заблокирован администратором.",
  inviteInvalid: "Такой код приглашения не найден. Проверьте его или попросите новый.",
  inviteUsedUp: "Этот код приглашения уже израсходован. Попросите новый.",
  chooseRegion: "Выберите регион сервера:",
  chooseProtocol:
    "Выберите протокол. WireGuard быстрее всех; берите Shadowsocks там, где WireGuard блокируют.",
  shadowsocksKeyCaption: (serverId, region) =>
    `Ваш ключ доступа Shadowsocks для сервера ${serverId} (${region}). Скопируйте следующее сообщение:`,
  shadowsocksQrCaption: "Или отсканируйте этот QR-код в Outline или v2rayNG.",
  shadowsocksInstructions: [
    "Outline: нажмите + (Добавить сервер), вставьте ключ и нажмите «Подключиться».",
    "v2rayNG: скопируйте ключ, нажмите + → Import config from clipboard, затем ▶.",
  ].join("\n"),
  configCaption: (serverId, region) => `Ваш конфиг для сервера ${serverId} (${region}).`,
  qrCaption: "Или отсканируйте этот QR-код в приложении WireGuard.",
  instructions: [
    "Как подключиться:",
    "1. Установите приложение WireGuard (Android, iOS, Windows, macOS или Linux).",
    "2. Нажмите «+» и импортируйте файл выше или отсканируйте QR-код.",
    "3. Включите туннель.",
  ].join("\n"),
  configLimit: (limit) =>
    `У вас уже ${limit} конфиг(ов), это максимум. Отзовите один в /myconfigs, чтобы получить новый.`,
  noCapacity: "Все серверы сейчас заполнены. Администраторы уведомлены; попробуйте позже.",
  noCapacityInRegion: (region) =>
    `Серверы в регионе ${region} сейчас заполнены. Выберите другой регион или попробуйте позже.`,
  myConfigsEmpty: "У вас пока нет конфигов. Получите первый командой /config.",
  myConfigsHeader: (count) => `Ваши конфиги (${count}):`,
  configLine: ({ serverId, region, createdAt, expiresAt }) =>
    `• ${serverId} (${region}), создан ${createdAt}, ${expiresAt === null ? "бессрочный" : `действует до ${expiresAt}`}`,
  downloadButton: (serverId) => `⬇️ ${serverId}`,
  revokeButton: (serverId) => `🗑 Отозвать ${serverId}`,
  revokeConfirm: (serverId) =>
    `Отозвать конфиг для ${serverId}? Он сразу перестанет работать, восстановить его нельзя.`,
  revokeYes: "Да, отозвать",
  revokeNo: "Нет, оставить",
  revoked: (serverId) => `Ваш конфиг для ${serverId} отозван.`,
  revokeCancelled: "Ничего не изменилось.",
  configGone: "Этот конфиг больше недоступен. Смотрите /myconfigs.",
  keysErased:
    "Этот конфиг уже был вам отправлен, а его закрытый ключ затем стёрт с наших серверов, поэтому отправить его снова нельзя. Откройте /myconfigs и нажмите на конфиг, чтобы получить его с новым ключом.",
  rekeyed: (serverId) =>
    `Вот ваш конфиг для ${serverId} с новым ключом. Прежний файл перестаёт работать; импортируйте этот.`,
  getNewConfigButton: "⬇️ Получить новый конфиг",
  chooseLanguage: "Выберите язык:",
  languageSet: "Готово: теперь я говорю по-русски.",
  unknownCommand: "Извините, я не знаю такой команды. Смотрите /help.",
  tryAgain: "У нас что-то пошло не так, и ничего не изменилось. Попробуйте ещё раз через минуту.",
  slowDown: "Слишком быстро; подождите несколько секунд.",
  notAnAdmin:
    "Ничего не сделано: вы больше не администратор. Ваша роль изменилась до того, как команда вступила в силу.",
  tooManyNewcomers:
    "Сейчас подключается много людей; пожалуйста, отправьте /start снова через несколько минут.",
  approved: "Вас одобрили! Нажмите /config, чтобы получить конфиг.",
  expiryWarning: (serverId, expiresAt) =>
    `Ваш конфиг для ${serverId} истекает ${expiresAt}. После этого получите новый командой /config.`,
  serverChanged: (serverId) =>
    `Ваш прежний сервер перестал работать, и вас перевели на ${serverId}. Импортируйте этот новый конфиг; старый больше не работает.`,
  protocolChanged: (previousProtocol, protocol, serverId) =>
    `${previousProtocol} заблокирован в вашей сети, поэтому вот конфигурация ${protocol} на ${serverId} с новым ключом. Импортируйте её; старая конфигурация больше не работает.`,
  endpointChanged: (serverId) =>
    `Адрес сервера ${serverId} изменился. Нажмите кнопку, чтобы получить обновлённый конфиг (с новым ключом); старый больше не подключается.`,
  serverChangedTapForConfig: (serverId) =>
    `Ваш прежний сервер перестал работать, и вас перенесли на ${serverId}. Нажмите кнопку, чтобы получить новый конфиг; старый больше не работает.`,
  configRevokedNotice: (serverId) =>
    `Ваш конфиг для ${serverId} отозван, потому что сервер перестал работать. Получите новый командой /config.`,
  noCapacityNotice: (serverId) =>
    `Ваш сервер ${serverId} перестал работать, а на других сейчас нет места. Попробуйте позже командой /config.`,
};
