/**
 * `Streams.BatchAppend` for the EventStoreDB test double: the path the real client takes whenever the server
 * advertises it (EventStoreDB 21.10 and later). One long-lived bidirectional stream carries every append of a
 * client: requests are chunks tagged with a correlation id (options on the first, `is_final` on the last); each
 * append is answered by correlation id as soon as it is applied, so appends do not wait for one another. A wrong
 * expected version comes back as a `google.rpc.Status` whose details pack `event_store.client.WrongExpectedVersion`.
 */
import { createRequire } from 'node:module';
import type * as grpc from '@grpc/grpc-js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import { expectedOf, type AppendOutcome, type Expected, type ProposedEvent } from './log.js';

type BatchAppendReq = InstanceType<typeof streamsPb.BatchAppendReq>;
type BatchAppendResp = InstanceType<typeof streamsPb.BatchAppendResp>;
type Options = InstanceType<typeof streamsPb.BatchAppendReq.Options>;
export type BatchAppendCall = grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>;

/** Applies one append (the double's rules, hooks and refusals); a ServiceError ends the whole BatchAppend call. */
export type ApplyAppend = (streamName: string, expected: Expected, proposed: ReadonlyArray<ProposedEvent>) => Promise<AppendOutcome | grpc.ServiceError>;

// The protobuf runtime the client's generated modules use (a single copy: serializers check instanceof).
const fromClient = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client/generated/status_pb.js'));
const { Any } = fromClient('google-protobuf/google/protobuf/any_pb.js') as {
  Any: new () => { pack(serialized: Uint8Array, name: string, prefix?: string): void };
};
const { Empty } = fromClient('google-protobuf/google/protobuf/empty_pb.js') as { Empty: new () => never };

const FAILED_PRECONDITION = 9; // google.rpc.Code, as the server reports a wrong expected version

export function serveBatchAppend(call: BatchAppendCall, apply: ApplyAppend): void {
  const pending = new Map<string, { options: Options | undefined; proposed: ProposedEvent[] }>();
  call.on('data', (req: BatchAppendReq) => {
    const correlation = req.getCorrelationId()!;
    const id = correlation.getString();
    let append = pending.get(id);
    if (!append) pending.set(id, (append = { options: undefined, proposed: [] }));
    if (req.hasOptions()) append.options = req.getOptions();
    for (const message of req.getProposedMessagesList()) append.proposed.push(proposedEvent(message));
    if (!req.getIsFinal()) return;
    pending.delete(id);
    void complete(call, correlation, append.options, append.proposed, apply);
  });
  call.on('end', () => call.end());
}

async function complete(
  call: BatchAppendCall,
  correlation: InstanceType<typeof sharedPb.UUID>,
  options: Options | undefined,
  proposed: ReadonlyArray<ProposedEvent>,
  apply: ApplyAppend,
): Promise<void> {
  if (!options) return void call.emit('error', { code: 3, details: 'batch append without options', metadata: undefined });
  const expected = expectedOf({
    revision: options.hasStreamPosition() ? options.getStreamPosition() : undefined,
    noStream: options.hasNoStream(),
    streamExists: options.hasStreamExists(),
  });
  const identifier = options.getStreamIdentifier()!;
  const outcome = await apply(Buffer.from(identifier.getStreamName_asU8()).toString('utf8'), expected, proposed);
  if ('code' in outcome) return void call.emit('error', outcome);
  const resp = new streamsPb.BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(identifier);
  if (expected.kind === 'revision') resp.setStreamPosition(expected.revision.toString());
  else if (expected.kind === 'no_stream') resp.setNoStream(new Empty());
  else if (expected.kind === 'stream_exists') resp.setStreamExists(new Empty());
  else resp.setAny(new Empty());
  if (outcome.kind === 'success') {
    const success = new streamsPb.BatchAppendResp.Success();
    if (outcome.revision === undefined) success.setNoStream(new Empty());
    else success.setCurrentRevision(outcome.revision.toString());
    if (outcome.position === undefined) success.setNoPosition(new Empty());
    else success.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(String(outcome.position)).setPreparePosition(String(outcome.position)));
    resp.setSuccess(success);
  } else {
    const wrong = new sharedPb.WrongExpectedVersion();
    if (outcome.current === undefined) wrong.setCurrentNoStream(new Empty());
    else wrong.setCurrentStreamRevision(outcome.current.toString());
    if (expected.kind === 'revision') wrong.setExpectedStreamPosition(expected.revision.toString());
    else if (expected.kind === 'no_stream') wrong.setExpectedNoStream(new Empty());
    else if (expected.kind === 'stream_exists') wrong.setExpectedStreamExists(new Empty());
    else wrong.setExpectedAny(new Empty());
    const details = new Any();
    details.pack(wrong.serializeBinary(), 'event_store.client.WrongExpectedVersion');
    resp.setError(new statusPb.Status().setCode(FAILED_PRECONDITION).setMessage('WrongExpectedVersion').setDetails(details as never));
  }
  call.write(resp);
}

/** An event proposed through Append or BatchAppend (both messages have the same fields). */
export function proposedEvent(message: {
  getId(): InstanceType<typeof sharedPb.UUID> | undefined;
  getMetadataMap(): { getEntryList(): Array<[string, string]> };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}): ProposedEvent {
  return {
    id: message.getId()!.getString(),
    metadata: new Map(message.getMetadataMap().getEntryList()),
    data: message.getData_asU8(),
    customMetadata: message.getCustomMetadata_asU8(),
  };
}
