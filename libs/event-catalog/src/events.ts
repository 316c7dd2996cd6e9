import type { CustomerContextEvent } from '@olist/customer';
import type { PipelineRunEvent } from '@olist/etl-orchestration';
import type { FulfillmentEvent } from '@olist/fulfillment';
import type { MarketplaceEvent } from '@olist/marketplace';
import type { PersonalDataEvent } from '@olist/personal-data';
import type { SalesEvent } from '@olist/sales';

/** Every domain event of every bounded context: what the event log holds. */
export type OlistEvent = SalesEvent | FulfillmentEvent | CustomerContextEvent | MarketplaceEvent | PipelineRunEvent | PersonalDataEvent;
export type OlistEventType = OlistEvent['type'];
