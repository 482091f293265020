/** The piscina worker entry: decides and encodes one batch (see decide.ts). */
import decideBatch from './decide.js';

export default decideBatch;
