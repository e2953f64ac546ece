import { eventDeleteSql } from "../sql/event-delete.js";
import { eventLastIdSql, eventReadSql } from "../sql/event-read.js";
import { itemCancelClaimedSql, itemCancelPendingSql, itemRequestCancelSql } from "../sql/item-cancel.js";
import { itemClaimSql } from "../sql/item-claim.js";
import { itemCompleteBatchSql, itemCompleteSql } from "../sql/item-complete.js";
import { itemCountByStatusSql } from "../sql/item-count.js";
import { itemDeleteFinishedSql } from "../sql/item-delete.js";
import { itemFailSql } from "../sql/item-fail.js";
import { itemHeartbeatSql } from "../sql/item-heartbeat.js";
import { itemInsertSql } from "../sql/item-insert.js";
import { itemProgressSql } from "../sql/item-progress.js";
import { itemGetManySql, itemGetSql, itemListSql, itemOpenByPodSql, itemOpenByUniqueKeySql, itemOpenCountSql } from "../sql/item-read.js";
import { itemRecoverSql } from "../sql/item-recover.js";
import { itemReleaseSql } from "../sql/item-release.js";
import { itemRetrySql } from "../sql/item-retry.js";
import type { QueueNames } from "../sql/queue-names.js";

/** Builds every statement of the store once, for its schema. */
export function queueStatements(names: QueueNames) {
  return {
    itemInsert: itemInsertSql(names),
    itemClaim: itemClaimSql(names),
    itemHeartbeat: itemHeartbeatSql(names),
    itemProgress: itemProgressSql(names),
    itemComplete: itemCompleteSql(names),
    itemCompleteBatch: itemCompleteBatchSql(names),
    itemFail: itemFailSql(names),
    itemCancelClaimed: itemCancelClaimedSql(names),
    itemCancelPending: itemCancelPendingSql(names),
    itemRequestCancel: itemRequestCancelSql(names),
    itemRelease: itemReleaseSql(names),
    itemRetry: itemRetrySql(names),
    itemRecover: itemRecoverSql(names),
    itemGet: itemGetSql(names),
    itemGetMany: itemGetManySql(names),
    itemList: itemListSql(names),
    itemOpenByPod: itemOpenByPodSql(names),
    itemOpenByUniqueKey: itemOpenByUniqueKeySql(names),
    itemOpenCount: itemOpenCountSql(names),
    itemCountByStatus: itemCountByStatusSql(names),
    itemDeleteFinished: itemDeleteFinishedSql(names),
    eventRead: eventReadSql(names),
    eventLastId: eventLastIdSql(names),
    eventDelete: eventDeleteSql(names),
  };
}

export type QueueStatements = ReturnType<typeof queueStatements>;
