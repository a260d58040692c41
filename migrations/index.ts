// Every migration, in order; the data source runs the pending ones at start.
import { Initial1763800000000 } from './1763800000000-initial.js';

export const migrations = [Initial1763800000000];
