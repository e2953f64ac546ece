import type { QueueTables } from "../store/tables.js";

/**
 * The event log. `Id` is the Server-Sent Event id; `Item` is the item as the change left it, in
 * the same JSON shape as a row of the items table.
 */
export const migration0002 = {
  id: 2,
  name: "create WorkQueueEvents",
  sql: (tables: QueueTables) => `
CREATE TABLE ${tables.events} (
  [Id] bigint IDENTITY(1, 1) NOT NULL CONSTRAINT [PK_WorkQueueEvents] PRIMARY KEY CLUSTERED,
  [Name] varchar(32) NOT NULL,
  [ItemId] bigint NOT NULL,
  [At] datetime2(3) NOT NULL,
  [Item] nvarchar(max) NOT NULL CONSTRAINT [CK_WorkQueueEvents_Item] CHECK (ISJSON([Item]) = 1),
  [Reason] varchar(16) NULL,
  [ErrorMessage] nvarchar(4000) NULL
);

CREATE INDEX [IX_WorkQueueEvents_At] ON ${tables.events} ([At]);
`,
} as const;
