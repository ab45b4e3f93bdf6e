/**
 * What a definition's `query_database` statement may name, as allow-lists: anything not listed is refused, so a new
 * Postgres function or catalog is closed until someone decides it is safe. Pure data, bundle-safe.
 */

/**
 * The relations of schema `adoption` a definition may read (definitions/README.md); the login role
 * adoption_definition_reader (db/migrations/100_definition_reader.sql) has SELECT on exactly these.
 */
export const QUERYABLE_RELATIONS: readonly string[] = [
  'customers',
  'feature_catalog',
  'feature_adoption',
  'usage_daily',
  'usage_weekly',
  'risk_signals',
  'risk_signal_features',
  'interventions',
  'adoption_snapshots',
];

/** Aggregates and window functions, date/time, string, math and a few JSON and array basics. */
export const QUERYABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'percentile_cont', 'percentile_disc', 'mode',
  // window functions
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value',
  'nth_value',
  // date and time (EXTRACT and AT TIME ZONE are extract() and timezone() to the parser)
  'now', 'date_trunc', 'date_part', 'extract', 'age', 'make_date', 'make_interval', 'make_timestamp', 'make_timestamptz',
  'to_char', 'to_date', 'to_timestamp', 'to_number', 'date_bin', 'justify_days', 'justify_hours', 'justify_interval',
  'isfinite', 'timezone', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'generate_series',
  // strings (TRIM, SUBSTRING ... FROM, POSITION ... IN and SIMILAR TO are these to the parser)
  'length', 'char_length', 'character_length', 'lower', 'upper', 'initcap', 'btrim', 'ltrim', 'rtrim', 'substring',
  'substr', 'position', 'strpos', 'replace', 'concat', 'concat_ws', 'left', 'right', 'lpad', 'rpad', 'split_part',
  'starts_with', 'reverse', 'regexp_replace', 'regexp_match', 'regexp_like', 'similar_to_escape', 'overlay',
  // math
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'mod', 'div', 'power', 'sqrt', 'exp', 'ln', 'log', 'sign',
  'width_bucket',
  // JSON and arrays (the catalog's resources are JSON; list references arrive as arrays)
  'jsonb_array_elements', 'jsonb_array_elements_text', 'jsonb_array_length', 'jsonb_build_object', 'json_build_object',
  'jsonb_build_array', 'json_build_array', 'jsonb_extract_path_text', 'jsonb_typeof', 'to_json', 'to_jsonb', 'unnest',
  'array_length', 'cardinality', 'array_to_string', 'array_position',
]); // prettier-ignore

/** Types a value may be cast to (the last name; `pg_catalog.` is how the parser spells the SQL-standard ones). */
export const QUERYABLE_TYPES: ReadonlySet<string> = new Set([
  'bool', 'boolean', 'int2', 'int4', 'int8', 'smallint', 'integer', 'int', 'bigint', 'numeric', 'decimal', 'float4',
  'float8', 'real', 'text', 'varchar', 'bpchar', 'char', 'date', 'time', 'timetz', 'timestamp', 'timestamptz',
  'interval', 'json', 'jsonb', 'uuid',
]); // prettier-ignore

/** CURRENT_DATE and its kin; CURRENT_USER, CURRENT_ROLE, SESSION_USER, CURRENT_SCHEMA and CURRENT_CATALOG are not. */
export const QUERYABLE_VALUE_FUNCTIONS: ReadonlySet<string> = new Set([
  'SVFOP_CURRENT_DATE', 'SVFOP_CURRENT_TIME', 'SVFOP_CURRENT_TIME_N', 'SVFOP_CURRENT_TIMESTAMP', 'SVFOP_CURRENT_TIMESTAMP_N',
  'SVFOP_LOCALTIME', 'SVFOP_LOCALTIME_N', 'SVFOP_LOCALTIMESTAMP', 'SVFOP_LOCALTIMESTAMP_N',
]); // prettier-ignore
