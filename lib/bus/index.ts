/** The bus: one interface, two implementations (embedded, Kafka). */
export {
  type BatchHandler,
  type Bus,
  type InRecord,
  murmur2,
  type OutRecord,
  partitionOf,
  type Subscription,
  type TopicConfig,
} from './bus.js';
export { EmbeddedBus } from './embedded.js';
export { KafkaBus, type KafkaBusOptions } from './kafka.js';
