import type { StepKind } from '../kind';
import type { QueryDatabaseActivities } from './activity';
import { queryDatabaseDefinition, type QueryDatabaseConfig, type QueryDatabasePlanConfig } from './definition';
import { executeQueryDatabase } from './executor';

export const queryDatabase: StepKind<'query_database', QueryDatabaseConfig, QueryDatabasePlanConfig, QueryDatabaseActivities> = {
  ...queryDatabaseDefinition,
  activities: { queryDatabase: true },
  execute: executeQueryDatabase,
};
