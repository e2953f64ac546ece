import type { QueueTables } from "../store/tables.js";

/**
 * The items table. Column sizes follow the item model's limits; instants are `datetime2(3)` in
 * UTC, since JavaScript dates carry milliseconds.
 */
export const migration0001 = {
  id: 1,
  name: "create WorkQueue",
  sql: (tables: QueueTables) => `
CREATE TABLE ${tables.items} (
  [Id] bigint IDENTITY(1, 1) NOT NULL CONSTRAINT [PK_WorkQueue] PRIMARY KEY CLUSTERED,
  [Type] nvarchar(64) NOT NULL,
  [Status] varchar(16) NOT NULL CONSTRAINT [CK_WorkQueue_Status] CHECK ([Status] IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED')),
  [PodName] nvarchar(256) NOT NULL,
  [Deployment] nvarchar(256) NULL,
  [Payload] nvarchar(max) NOT NULL CONSTRAINT [CK_WorkQueue_Payload] CHECK (ISJSON([Payload]) = 1),
  [Metadata] nvarchar(max) NULL CONSTRAINT [CK_WorkQueue_Metadata] CHECK (ISJSON([Metadata]) = 1),
  [Priority] smallint NOT NULL CONSTRAINT [CK_WorkQueue_Priority] CHECK ([Priority] BETWEEN -100 AND 100),
  [RunAt] datetime2(3) NOT NULL,
  [Schedule] varchar(16) NOT NULL CONSTRAINT [CK_WorkQueue_Schedule] CHECK ([Schedule] IN ('now', 'off-peak')),
  [CreatedAt] datetime2(3) NOT NULL,
  [UpdatedAt] datetime2(3) NOT NULL,
  [StartedAt] datetime2(3) NULL,
  [CompletedAt] datetime2(3) NULL,
  [ErrorMessage] nvarchar(4000) NULL,
  [RecordsAffected] bigint NOT NULL CONSTRAINT [DF_WorkQueue_RecordsAffected] DEFAULT 0,
  [EstimatedRecords] bigint NULL,
  [Progress] float NOT NULL CONSTRAINT [DF_WorkQueue_Progress] DEFAULT 0 CONSTRAINT [CK_WorkQueue_Progress] CHECK ([Progress] BETWEEN 0 AND 100),
  [Attempts] int NOT NULL CONSTRAINT [DF_WorkQueue_Attempts] DEFAULT 0,
  [MaxAttempts] int NOT NULL,
  [UniqueKey] nvarchar(600) NULL,
  [LockedBy] nvarchar(256) NULL,
  [FencingToken] bigint NOT NULL CONSTRAINT [DF_WorkQueue_FencingToken] DEFAULT 0,
  [LeaseExpiresAt] datetime2(3) NULL,
  [CancelRequestedAt] datetime2(3) NULL,
  [CreatedBy] nvarchar(256) NULL,
  -- Any JSON value; wrapping it in an array lets ISJSON accept scalars on servers before SQL Server 2022.
  [Checkpoint] nvarchar(max) NULL CONSTRAINT [CK_WorkQueue_Checkpoint] CHECK (ISJSON(N'[' + [Checkpoint] + N']') = 1),
  [StopReason] varchar(16) NULL CONSTRAINT [CK_WorkQueue_StopReason] CHECK ([StopReason] IN ('completed', 'cancelled', 'failed', 'lease-lost', 'timed-out', 'window-closed', 'shutdown'))
);

CREATE INDEX [IX_WorkQueue_Status] ON ${tables.items} ([Status]);

CREATE INDEX [IX_WorkQueue_PodName] ON ${tables.items} ([PodName], [Deployment]) INCLUDE ([Status]);

-- Claim order over pending items only, so the claim reads the next items in index order.
CREATE INDEX [IX_WorkQueue_Claim] ON ${tables.items} ([Priority] DESC, [RunAt], [Id]) INCLUDE ([Type]) WHERE [Status] = 'PENDING';

-- At most one open item per unique key; a duplicate insert fails with error 2601.
CREATE UNIQUE INDEX [UX_WorkQueue_OpenUniqueKey] ON ${tables.items} ([UniqueKey]) WHERE [UniqueKey] IS NOT NULL AND [Status] IN ('PENDING', 'IN_PROGRESS');

CREATE INDEX [IX_WorkQueue_LeaseExpiresAt] ON ${tables.items} ([LeaseExpiresAt]) WHERE [Status] = 'IN_PROGRESS';

CREATE INDEX [IX_WorkQueue_CompletedAt] ON ${tables.items} ([CompletedAt]) WHERE [CompletedAt] IS NOT NULL;
`,
} as const;
