// "No such workflow", however the client reports it.
import { isGrpcServiceError, WorkflowNotFoundError } from '@temporalio/client';

const GRPC_NOT_FOUND = 5;

/** describe() throws WorkflowNotFoundError; fetchHistory() lets the raw gRPC NOT_FOUND through. */
export const isNotFound = (err: unknown): boolean =>
  err instanceof WorkflowNotFoundError || (isGrpcServiceError(err) && err.code === GRPC_NOT_FOUND);
