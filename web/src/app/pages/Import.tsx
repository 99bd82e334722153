// CSV import: drag and drop or pick a file; the File streams to POST /ingest/csv with the bearer token; progress
// from importJob(id) polling and the importProgress subscription; per-row errors; result summary.
import { useRef, useState } from 'react';
import { useQuery, useSubscription } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Icon, Skeleton } from '../ui/ui.tsx';
import { ago, num } from '../lib/format.ts';
import { useSession } from '../lib/auth.ts';

export const ImportJobQuery = graphql(`
  query ImportJob($id: ID!) {
    importJob(id: $id) {
      id status kind source bytesRead rowsTotal rowsAccepted rowsRejected rowsDuplicate startedAt finishedAt error
      errors(first: 200) { row column reason }
    }
  }
`);

const ImportProgress = graphql(`
  subscription ImportProgress($jobId: ID!) {
    importProgress(jobId: $jobId) { id status bytesRead rowsTotal rowsAccepted rowsRejected rowsDuplicate finishedAt error }
  }
`);

export const ImportJobsQuery = graphql(`
  query ImportJobs {
    importJobs(first: 10) { id status source rowsTotal rowsAccepted rowsRejected rowsDuplicate startedAt finishedAt }
  }
`);

interface Upload {
  name: string;
  size: number;
  sent: number;
  jobId: string | null;
  error: string | null;
}

function statusTone(s: string) {
  return s === 'COMPLETED' ? 'ok' : s === 'FAILED' ? 'critical' : 'info';
}

export function ImportPage() {
  const session = useSession();
  // data-core's ingestion roles: analyst, partner, admin (system).
  const allowed = session.roles.some((r) => r === 'analyst' || r === 'admin' || r === 'partner');
  const [upload, setUpload] = useState<Upload | null>(null);
  const [drag, setDrag] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const jobs = useQuery(ImportJobsQuery);

  const start = (file: File) => {
    if (!allowed) return;
    const gz = /\.gz$/i.test(file.name);
    const up: Upload = { name: file.name, size: file.size, sent: 0, jobId: null, error: null };
    setUpload(up);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/ingest/csv?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', gz ? 'application/gzip' : 'text/csv');
    if (session.token) xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
    xhr.upload.onprogress = (e) => setUpload((u) => (u ? { ...u, sent: e.loaded } : u));
    xhr.onload = () => {
      let body: { jobId?: string; error?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.jobId) setUpload((u) => (u ? { ...u, sent: u.size, jobId: body.jobId! } : u));
      else setUpload((u) => (u ? { ...u, error: body.error ?? `upload failed (HTTP ${xhr.status})` } : u));
    };
    xhr.onerror = () => setUpload((u) => (u ? { ...u, error: 'network error while uploading' } : u));
    xhr.send(file);
  };

  return (
    <>
      <div className="page-head">
        <div>
          <h1>CSV import</h1>
          <p className="page-head__sub">Bulk-load activity events; every row is validated and errors are reported per row</p>
        </div>
      </div>
      <div className="grid grid--wide">
        <Card title="Upload" subtitle="CSV (or .csv.gz) with a header row; streamed, any size" testId="import-card" className="span-2">
          <div
            className={`dropzone ${drag ? 'is-drag' : ''} ${allowed ? '' : 'is-disabled'}`}
            onDragOver={(e) => {
              e.preventDefault();
              setDrag(true);
            }}
            onDragLeave={() => setDrag(false)}
            onDrop={(e) => {
              e.preventDefault();
              setDrag(false);
              const f = e.dataTransfer.files[0];
              if (f) start(f);
            }}
            role="group"
            aria-label="Drop a CSV file here"
          >
            <Icon name="upload" size={32} />
            <strong>Drag and drop a CSV file</strong>
            <span className="muted">or</span>
            <button className="btn btn--primary" onClick={() => input.current?.click()} disabled={!allowed} title={allowed ? undefined : 'Importing needs the analyst or admin role'}>
              Choose a file
            </button>
            <input
              ref={input}
              type="file"
              accept=".csv,.gz,text/csv"
              className="sr-only"
              aria-label="CSV file"
              data-testid="csv-input"
              onChange={(e) => {
                const f = e.target.files?.[0];
                if (f) start(f);
                e.target.value = '';
              }}
            />
            {!allowed && <span className="muted small">Sign in as analyst or admin to import.</span>}
            <span className="muted small">
              Columns: external_id, supplier_external_id (or supplier_id), event_type, timestamp, distance_km, load_kg, vehicle_type, fuel_type, energy_kwh …
            </span>
          </div>
          {upload && <UploadProgress upload={upload} onDone={() => void jobs.refetch()} />}
        </Card>
        <Card title="Recent imports" testId="imports-card" className="span-2">
          <Async loading={jobs.loading} error={jobs.error} empty={!jobs.data?.importJobs.length} emptyTitle="No imports yet" retry={() => jobs.refetch()} skeleton={<Skeleton lines={4} />}>
            {() => (
              <table className="table">
                <thead><tr><th>File</th><th>Status</th><th>Rows</th><th>Accepted</th><th>Rejected</th><th>Duplicates</th><th>Started</th></tr></thead>
                <tbody>
                  {jobs.data!.importJobs.map((j) => (
                    <tr key={j.id}>
                      <td>{j.source ?? j.id.slice(0, 8)}</td>
                      <td><Chip tone={statusTone(j.status)}>{j.status.toLowerCase()}</Chip></td>
                      <td>{num(j.rowsTotal, 0)}</td>
                      <td>{num(j.rowsAccepted, 0)}</td>
                      <td>{num(j.rowsRejected, 0)}</td>
                      <td>{num(j.rowsDuplicate, 0)}</td>
                      <td>{ago(j.startedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </Async>
        </Card>
      </div>
    </>
  );
}

function UploadProgress({ upload, onDone }: { upload: Upload; onDone: () => void }) {
  const done = useRef(false);
  const q = useQuery(ImportJobQuery, {
    variables: { id: upload.jobId ?? '' },
    skip: !upload.jobId,
    pollInterval: 1000,
    fetchPolicy: 'network-only',
    notifyOnNetworkStatusChange: false,
  });
  useSubscription(ImportProgress, { variables: { jobId: upload.jobId ?? '' }, skip: !upload.jobId });
  const job = q.data?.importJob;
  const finished = job && job.status !== 'RUNNING';
  if (finished && !done.current) {
    done.current = true;
    q.stopPolling();
    setTimeout(onDone, 0);
  }
  const sentPct = upload.size ? (upload.sent / upload.size) * 100 : 0;
  const readPct = job && upload.size ? Math.min(100, (job.bytesRead / upload.size) * 100) : 0;
  const progress = finished ? 100 : job ? Math.max(readPct, 2) : sentPct * 0.5;

  return (
    <section className="upload" aria-live="polite" data-testid="upload-progress">
      <div className="upload__head">
        <strong>{upload.name}</strong>
        {upload.error ? <Chip tone="critical">failed</Chip> : job ? <Chip tone={statusTone(job.status)}>{job.status.toLowerCase()}</Chip> : <Chip tone="info">uploading</Chip>}
      </div>
      <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(progress)} aria-label="Import progress">
        <span style={{ width: `${progress}%` }} className={upload.error || job?.status === 'FAILED' ? 'is-error' : ''} />
      </div>
      {upload.error && <p className="error-text">{upload.error}</p>}
      {job && (
        <>
          <dl className="kpis" data-testid="import-summary">
            <div className="kpi"><span>Rows read</span><strong>{num(job.rowsTotal, 0)}</strong></div>
            <div className="kpi kpi--good"><span>Accepted</span><strong data-testid="rows-accepted">{num(job.rowsAccepted, 0)}</strong></div>
            <div className="kpi kpi--bad"><span>Rejected</span><strong data-testid="rows-rejected">{num(job.rowsRejected, 0)}</strong></div>
            <div className="kpi"><span>Duplicates</span><strong>{num(job.rowsDuplicate, 0)}</strong></div>
          </dl>
          {job.error && <p className="error-text">{job.error}</p>}
          {job.errors.length > 0 && (
            <table className="table" aria-label="Row errors" data-testid="row-errors">
              <thead><tr><th>Row</th><th>Column</th><th>Reason</th></tr></thead>
              <tbody>
                {job.errors.map((e, i) => (
                  <tr key={i}><td>{e.row || 'file'}</td><td>{e.column ?? '—'}</td><td>{e.reason}</td></tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
