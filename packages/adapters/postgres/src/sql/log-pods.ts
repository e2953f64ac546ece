import type { LogTable, TimeSql } from "../target/log-table.js";

/**
 * Lists the distinct (deployment, pod) pairs with their oldest and newest timestamps. A recursive
 * loose index scan jumps from one pair to the next through the (deployment, pod, timestamp)
 * index, so the cost grows with the number of pods, not rows. The oldest and newest timestamps
 * take one index descent each.
 */
export function logPodsSql(table: LogTable, time: TimeSql): string {
  const { deployment, pod, timestamp: ts } = table;
  const bounds = (match: string) => `
    (SELECT ${time.asInstant(ts)} FROM ${table.table} WHERE ${match} ORDER BY ${ts} LIMIT 1) AS oldest,
    (SELECT ${time.asInstant(ts)} FROM ${table.table} WHERE ${match} ORDER BY ${ts} DESC LIMIT 1) AS newest`;

  if (deployment === null) {
    return `WITH RECURSIVE pods AS (
      (SELECT ${pod} AS pod FROM ${table.table} WHERE ${pod} IS NOT NULL ORDER BY ${pod} LIMIT 1)
      UNION ALL
      SELECT (SELECT ${pod} FROM ${table.table} WHERE ${pod} > pods.pod ORDER BY ${pod} LIMIT 1)
      FROM pods WHERE pods.pod IS NOT NULL
    )
    SELECT NULL::text AS deployment, pods.pod, ${bounds(`${pod} = pods.pod`)}
    FROM pods WHERE pods.pod IS NOT NULL
    ORDER BY pods.pod`;
  }

  return `WITH RECURSIVE pods AS (
    (SELECT ${deployment} AS deployment, ${pod} AS pod FROM ${table.table}
      WHERE ${deployment} IS NOT NULL AND ${pod} IS NOT NULL ORDER BY ${deployment}, ${pod} LIMIT 1)
    UNION ALL
    SELECT next.deployment, next.pod FROM pods CROSS JOIN LATERAL (
      SELECT ${deployment} AS deployment, ${pod} AS pod FROM ${table.table}
      WHERE (${deployment}, ${pod}) > (pods.deployment, pods.pod)
      ORDER BY ${deployment}, ${pod} LIMIT 1
    ) next
  )
  SELECT pods.deployment, pods.pod, ${bounds(`${deployment} = pods.deployment AND ${pod} = pods.pod`)}
  FROM pods WHERE pods.pod IS NOT NULL
  ORDER BY pods.deployment, pods.pod`;
}
