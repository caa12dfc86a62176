/**
 * The version of the control plane's commands: their shapes (commands.ts)
 * and what apply makes of them. Raise it with every change a node of the
 * previous version would apply differently or refuse, and say in the README
 * what an upgrade across it takes. Entries carry their proposer's version,
 * and a node never applies one of a later version than its own (node.ts,
 * StateVersionError); a server of another version cannot join
 * (join-admission.ts). test/cluster/fsm/state-version.test.ts fails when the
 * commands' shapes change and this stays the same; state-version-log.test.ts
 * when this release applies an earlier version's recorded log otherwise
 * than that version did (`npm run record-state-version-log` records a new
 * version's log, once).
 *
 * The release that raises it to 2 must also, on its own nodes (those of
 * version 1 need nothing): refuse at apply a command stamped earlier than
 * the version that introduced it, since a seized member of version 2 could
 * stamp a new command 1, which a version-1 leader accepts, version-1 members
 * refuse as unknown and version-2 members would apply, splitting the state;
 * and, so that an earlier leader takes an upgraded member's reports instead
 * of dropping them, stamp what a member forwards with the earliest version
 * that applies it alike rather than the member's own.
 */
export const STATE_VERSION = 1;
