import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Typed search attributes every enablement run carries, so ops can find runs in the Web UI or with
 * `temporal workflow list --query "CustomerId = '…'"`. A cluster must have them registered before a run starts
 * (the dev server gets them at start; a real cluster through `temporal operator search-attribute create`).
 */
export const CustomerId = defineSearchAttributeKey('CustomerId', 'KEYWORD');
export const FeatureIds = defineSearchAttributeKey('FeatureIds', 'KEYWORD_LIST');
export const CustomerArr = defineSearchAttributeKey('CustomerArr', 'DOUBLE');
/** The current stage of the run's primary feature (at start; after the follow-up, as measured). */
export const AdoptionStage = defineSearchAttributeKey('AdoptionStage', 'KEYWORD');
/** The run's outcome once it has one: recovered, improved, still_stalled (or suppressed). */
export const AdoptionOutcome = defineSearchAttributeKey('AdoptionOutcome', 'KEYWORD');
export const DefinitionVersion = defineSearchAttributeKey('DefinitionVersion', 'KEYWORD');

export const ALL_SEARCH_ATTRIBUTES = [CustomerId, FeatureIds, CustomerArr, AdoptionStage, AdoptionOutcome, DefinitionVersion];
