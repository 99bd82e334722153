// One import job: live counters while it runs (importJob polling + the importProgress subscription), what its status
// means for the user (an INTERRUPTED job keeps what it stored; sending the file again finishes it), and every
// rejected row paged to the end with its row number, column and reason (ImportJob.rejectedRows).
import { useEffect, useRef, useState } from 'react';
import { useQuery, useSubscription } from '@apollo/client';
import { graphql } from '../../gql';
import type { ImportRejectedRowsQuery } from '../../gql/graphql';
import { ErrorState, Skeleton } from '../ui/ui.tsx';
import { ago, num, time } from '../lib/format.ts';

export const ImportJobQuery = graphql(`
  query ImportJob($id: ID!) {
    importJob(id: $id) {
      id status kind source bytesRead rowsTotal rowsAccepted rowsRejected rowsDuplicate startedAt finishedAt error
    }
  }
`);

const ImportProgress = graphql(`
  subscription ImportProgress($jobId: ID!) {
    importProgress(jobId: $jobId) { id status bytesRead rowsTotal rowsAccepted rowsRejected rowsDuplicate finishedAt error }
  }
`);

export const RejectedRowsDoc = graphql(`
  query ImportRejectedRows($id: ID!, $first: Int!, $after: String) {
    importJob(id: $id) {
      id
      rejectedRows(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { row payload errors { row column reason } }
      }
    }
  }
`);

type RejectedRow = NonNullable<ImportRejectedRowsQuery['importJob']>['rejectedRows']['nodes'][number];
const PAGE = 50;

export function statusTone(s: string): 'ok' | 'critical' | 'warn' | 'info' {
  return s === 'COMPLETED' ? 'ok' : s === 'FAILED' ? 'critical' : s === 'INTERRUPTED' ? 'warn' : 'info';
}

/** What was received for the row, as "column = value" pairs. */
function Received({ payload }: { payload: unknown }) {
  if (!payload || typeof payload !== 'object') return <span className="muted">—</span>;
  const cells = Object.entries(payload as Record<string, unknown>);
  if (!cells.length) return <span className="muted">—</span>;
  return (
    <details className="received">
      <summary>{cells.length} cells</summary>
      <dl>
        {cells.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v === null || v === undefined || v === '' ? <span className="muted">(empty)</span> : String(v)}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function RejectedRows({ jobId, status, rowsRejected }: { jobId: string; status: string; rowsRejected: number }) {
  const [loadingMore, setLoadingMore] = useState(false);
  const q = useQuery(RejectedRowsDoc, {
    variables: { id: jobId, first: PAGE },
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: false,
  });
  // While the job runs, rows keep being rejected: the first page is read again when it ends.
  const lastStatus = useRef(status);
  useEffect(() => {
    if (lastStatus.current === 'RUNNING' && status !== 'RUNNING') void q.refetch();
    lastStatus.current = status;
  }, [status, q]);
  const conn = q.data?.importJob?.rejectedRows;
  const rows: RejectedRow[] = conn?.nodes ?? [];

  if (q.error && !conn) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  if (!conn) return q.loading ? <Skeleton lines={3} /> : null;
  if (!conn.totalCount)
    return (
      <p className="muted small" data-testid="rejected-empty">
        {status === 'RUNNING'
          ? 'No row rejected so far.'
          : rowsRejected
            ? 'The rejected rows are no longer stored.'
            : 'No rejected rows: every row was stored or was a duplicate.'}
      </p>
    );
  return (
    <section className="rejected" aria-label="Rejected rows" data-testid="rejected-rows">
      <h4 className="rejected__title">
        Rejected rows{' '}
        <span className="muted small" data-testid="rejected-count">
          {num(rows.length, 0)} of {num(conn.totalCount, 0)} shown{status === 'RUNNING' ? ' (so far)' : ''}
        </span>
      </h4>
      <div className="table-scroll">
        <table className="table" aria-label="Row errors" data-testid="row-errors">
          <thead>
            <tr>
              <th>Row</th>
              <th>Column</th>
              <th>Reason</th>
              <th>Received</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.row} data-testid="rejected-row" data-row={r.row}>
                <td>{r.row || 'file'}</td>
                <td>
                  {r.errors.map((e, i) => (
                    <div key={i}>{e.column ?? '—'}</div>
                  ))}
                </td>
                <td>
                  {r.errors.map((e, i) => (
                    <div key={i}>{e.reason}</div>
                  ))}
                </td>
                <td>
                  <Received payload={r.payload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {q.error && <ErrorState error={q.error} retry={() => q.refetch()} />}
      <div className="form__actions">
        {conn.pageInfo.hasNextPage ? (
          <button
            type="button"
            className="btn btn--ghost btn--sm"
            data-testid="rejected-more"
            disabled={loadingMore}
            onClick={async () => {
              setLoadingMore(true);
              try {
                await q.fetchMore({
                  variables: { after: conn.pageInfo.endCursor },
                  updateQuery: (prev, { fetchMoreResult }) => {
                    const a = prev.importJob!.rejectedRows;
                    const b = fetchMoreResult.importJob!.rejectedRows;
                    return {
                      importJob: {
                        ...fetchMoreResult.importJob!,
                        rejectedRows: { ...b, nodes: [...a.nodes, ...b.nodes] },
                      },
                    };
                  },
                });
              } finally {
                setLoadingMore(false);
              }
            }}
          >
            {loadingMore ? 'Loading…' : `Load ${num(Math.min(PAGE, conn.totalCount - rows.length), 0)} more`}
          </button>
        ) : (
          <span className="muted small" data-testid="rejected-end">
            All {num(rows.length, 0)} rejected rows shown · end of the list
          </span>
        )}
      </div>
    </section>
  );
}

/**
 * The job's summary, its status in words and its rejected rows. `live`: poll and subscribe while it runs.
 * `onResend` sends the same file again (when the page still has it); `onChooseFile` asks for it.
 */
export function ImportJobDetail(props: {
  jobId: string;
  live?: boolean;
  onFinished?: () => void;
  onResend?: () => void;
  onChooseFile?: () => void;
}) {
  const done = useRef(false);
  const q = useQuery(ImportJobQuery, {
    variables: { id: props.jobId },
    pollInterval: props.live ? 1000 : 0,
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: false,
  });
  useSubscription(ImportProgress, { variables: { jobId: props.jobId }, skip: !props.live });
  const job = q.data?.importJob;
  const finished = !!job && job.status !== 'RUNNING';
  useEffect(() => {
    if (!finished || done.current) return;
    done.current = true;
    q.stopPolling();
    props.onFinished?.();
  }, [finished, q, props]);

  if (q.error && !job) return <ErrorState error={q.error} retry={() => q.refetch()} />;
  if (!job)
    return q.loading ? (
      <Skeleton lines={4} />
    ) : (
      <p className="error-text" role="alert">
        No import job {props.jobId}.
      </p>
    );

  return (
    <div className="job" data-testid="import-job" data-status={job.status}>
      <dl className="kpis" data-testid="import-summary">
        <div className="kpi">
          <span>Rows read</span>
          <strong data-testid="rows-total">{num(job.rowsTotal, 0)}</strong>
        </div>
        <div className="kpi kpi--good">
          <span>Accepted</span>
          <strong data-testid="rows-accepted">{num(job.rowsAccepted, 0)}</strong>
        </div>
        <div className="kpi kpi--bad">
          <span>Rejected</span>
          <strong data-testid="rows-rejected">{num(job.rowsRejected, 0)}</strong>
        </div>
        <div className="kpi">
          <span>Duplicates</span>
          <strong data-testid="rows-duplicate">{num(job.rowsDuplicate, 0)}</strong>
        </div>
      </dl>
      <p className="muted small">
        {job.kind.toUpperCase()} import {job.source ? `of ${job.source} ` : ''}started {time(job.startedAt)} (
        {ago(job.startedAt)}){job.finishedAt ? `, ended ${time(job.finishedAt)}` : ', running'}
      </p>
      {job.status === 'INTERRUPTED' && (
        <div className="notice notice--warn" role="status" data-testid="import-interrupted">
          <p>
            <strong>Interrupted.</strong> The server stopped while this import was running (a crash, a kill or a power
            loss). What it stored before that stays stored:{' '}
            <strong data-testid="interrupted-stored">{num(job.rowsAccepted, 0)} rows accepted</strong>,{' '}
            {num(job.rowsRejected, 0)} rejected
            {job.rowsDuplicate ? ` and ${num(job.rowsDuplicate, 0)} duplicates` : ''}, of {num(job.rowsTotal, 0)} read.
          </p>
          <p>
            <strong>To finish it, send the same file again</strong>
            {job.source ? (
              <>
                {' '}
                (<code>{job.source}</code>)
              </>
            ) : null}
            : rows already stored come back as duplicates, so none is stored twice.
          </p>
          {(props.onResend || props.onChooseFile) && (
            <div className="form__actions form__actions--start">
              {props.onResend ? (
                <button
                  type="button"
                  className="btn btn--primary btn--sm"
                  onClick={props.onResend}
                  data-testid="import-resend"
                >
                  Send the file again
                </button>
              ) : (
                <button
                  type="button"
                  className="btn btn--primary btn--sm"
                  onClick={props.onChooseFile}
                  data-testid="import-choose-again"
                >
                  Choose {job.source ?? 'the file'} again
                </button>
              )}
            </div>
          )}
        </div>
      )}
      {job.status === 'FAILED' && (
        <div className="notice notice--error" role="alert" data-testid="import-failed">
          <p>
            <strong>The import failed</strong>
            {job.error ? <>: {job.error}</> : '.'}
          </p>
          <p className="small">
            {job.rowsAccepted ? `${num(job.rowsAccepted, 0)} rows were stored before that; ` : 'No row was stored; '}fix
            the file and send it again (stored rows come back as duplicates).
          </p>
        </div>
      )}
      {job.status !== 'FAILED' && job.status !== 'INTERRUPTED' && job.error && (
        <p className="error-text">{job.error}</p>
      )}
      <RejectedRows jobId={job.id} status={job.status} rowsRejected={job.rowsRejected} />
    </div>
  );
}
