import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/**
 * How an operation consumes its input. Most act once per item; Create gathers the rows of all
 * items into one upload, so it sees the whole input at once.
 */
export type OperationModule =
	| {
			description: INodeProperties[];
			mode: 'perItem';
			/** Items handled at once (default 1, one after another); the output keeps the item order either way. */
			concurrency?: number;
			/**
			 * Checks the whole input before any item runs, so that a mistake that spans items stops
			 * the run before any request: the items that must not run, each with its error, in item order.
			 */
			checkInput?(this: IExecuteFunctions, items: INodeExecutionData[]): Map<number, Error>;
			/** New output items for input item `itemIndex` (never input items); the router sets their `pairedItem`. */
			execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
	  }
	| {
			description: INodeProperties[];
			mode: 'batch';
			/** Output items for all input items; each must carry its own `pairedItem`. */
			execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
	  };
