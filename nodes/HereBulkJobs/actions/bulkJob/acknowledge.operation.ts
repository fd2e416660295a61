import { jobActionOperation } from './jobAction';

export const { description, mode, execute } = jobActionOperation('acknowledge');
