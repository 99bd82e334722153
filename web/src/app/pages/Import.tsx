// CSV import: drag and drop or pick a file; the File streams to POST /ingest/csv with the bearer token; progress,
// the result and every rejected row from the job (Import.job.tsx). Recent imports open the same detail, so an
// INTERRUPTED or FAILED job says what was stored and how to finish it.
import { useRef, useState } from 'react';
import { useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Card, Async, Chip, Icon, Skeleton } from '../ui/ui.tsx';
import { ago, num } from '../lib/format.ts';
import { useSession } from '../lib/auth.ts';
import { ImportJobDetail, ImportJobQuery, statusTone } from './Import.job.tsx';

export const ImportJobsQuery = graphql(`
  query ImportJobs {
    importJobs(first: 10) { id status source rowsTotal rowsAccepted rowsRejected rowsDuplicate startedAt finishedAt }
  }
`);

interface Upload {
  file: File;
  sent: number;
  jobId: string | null;
  error: string | null;
}

export function ImportPage() {
  const session = useSession();
  // data-core's ingestion roles: analyst, partner, admin (system).
  const allowed = session.roles.some((r) => r === 'analyst' || r === 'admin' || r === 'partner');
  const [upload, setUpload] = useState<Upload | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const [drag, setDrag] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const jobs = useQuery(ImportJobsQuery);

  const start = (file: File) => {
    if (!allowed) return;
    const gz = /\.gz$/i.test(file.name);
    setUpload({ file, sent: 0, jobId: null, error: null });
    setSelected(null);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/ingest/csv?filename=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', gz ? 'application/gzip' : 'text/csv');
    if (session.token) xhr.setRequestHeader('authorization', `Bearer ${session.token}`);
    xhr.upload.onprogress = (e) => setUpload((u) => (u ? { ...u, sent: e.loaded } : u));
    // The job id comes in the response headers at once (202); the body (the final summary) only when the import ends.
    xhr.onreadystatechange = () => {
      const id =
        xhr.readyState === XMLHttpRequest.HEADERS_RECEIVED && xhr.status === 202
          ? xhr.getResponseHeader('x-import-job-id')
          : null;
      if (id) setUpload((u) => (u && !u.jobId ? { ...u, jobId: id } : u));
    };
    xhr.onload = () => {
      let body: { jobId?: string; error?: string; detail?: string } = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300 && body.jobId)
        setUpload((u) => (u ? { ...u, sent: u.file.size, jobId: u.jobId ?? body.jobId! } : u));
      else
        setUpload((u) => (u ? { ...u, error: body.error ?? body.detail ?? `upload failed (HTTP ${xhr.status})` } : u));
    };
    xhr.onerror = () =>
      setUpload((u) =>
        u
          ? {
              ...u,
              error: u.jobId
                ? 'the connection was lost during the import; the job below says what was stored'
                : 'network error while uploading',
            }
          : u,
      );
    xhr.send(file);
  };
  const chooseFile = () => input.current?.click();
  const rows = jobs.data?.importJobs ?? [];
  const selectedJob = rows.find((j) => j.id === selected);

  return (
    <>
      <div className="page-head">
        <div>
          <h1>CSV import</h1>
          <p className="page-head__sub">
            Bulk-load activity events; every row is validated and errors are reported per row
          </p>
        </div>
      </div>
      <div className="grid grid--wide">
        <Card
          title="Upload"
          subtitle="CSV (or .csv.gz) with a header row; streamed, any size"
          testId="import-card"
          className="span-2"
        >
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
            <button
              type="button"
              className="btn btn--primary"
              onClick={chooseFile}
              disabled={!allowed}
              title={allowed ? undefined : 'Importing needs the analyst or admin role'}
            >
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
              Columns: external_id, supplier_external_id (or supplier_id), event_type, timestamp, distance_km, load_kg,
              vehicle_type, fuel_type, energy_kwh …
            </span>
          </div>
          {upload && (
            <UploadProgress upload={upload} onDone={() => void jobs.refetch()} onResend={() => start(upload.file)} />
          )}
        </Card>
        <Card
          title="Recent imports"
          subtitle="Open one to see what it stored and every rejected row"
          testId="imports-card"
          className="span-2"
        >
          <Async
            loading={jobs.loading}
            error={jobs.error}
            empty={!rows.length}
            emptyTitle="No imports yet"
            emptyHint="Imports appear here once a file is sent."
            retry={() => jobs.refetch()}
            skeleton={<Skeleton lines={4} />}
          >
            {() => (
              <div className="table-scroll">
                <table className="table" aria-label="Recent imports">
                  <thead>
                    <tr>
                      <th>File</th>
                      <th>Status</th>
                      <th>Rows</th>
                      <th>Accepted</th>
                      <th>Rejected</th>
                      <th>Duplicates</th>
                      <th>Started</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((j) => (
                      <tr
                        key={j.id}
                        data-testid="import-row"
                        data-status={j.status}
                        className={selected === j.id ? 'is-selected' : undefined}
                      >
                        <td>
                          <button
                            type="button"
                            className="link-btn"
                            aria-expanded={selected === j.id}
                            onClick={() => setSelected(selected === j.id ? null : j.id)}
                            data-testid="import-row-open"
                          >
                            {j.source ?? j.id.slice(0, 8)}
                          </button>
                        </td>
                        <td>
                          <Chip tone={statusTone(j.status)}>{j.status.toLowerCase()}</Chip>
                        </td>
                        <td>{num(j.rowsTotal, 0)}</td>
                        <td>{num(j.rowsAccepted, 0)}</td>
                        <td>{num(j.rowsRejected, 0)}</td>
                        <td>{num(j.rowsDuplicate, 0)}</td>
                        <td>{ago(j.startedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Async>
        </Card>
        {selected && (
          <Card
            title={`Import ${selectedJob?.source ?? selected.slice(0, 8)}`}
            subtitle="What this import stored, and every rejected row"
            testId="import-detail-card"
            className="span-2"
            actions={
              selectedJob && <Chip tone={statusTone(selectedJob.status)}>{selectedJob.status.toLowerCase()}</Chip>
            }
          >
            <ImportJobDetail
              key={selected}
              jobId={selected}
              live={selectedJob?.status === 'RUNNING'}
              onFinished={() => void jobs.refetch()}
              onChooseFile={allowed ? chooseFile : undefined}
            />
          </Card>
        )}
      </div>
    </>
  );
}

function UploadProgress({ upload, onDone, onResend }: { upload: Upload; onDone: () => void; onResend: () => void }) {
  // The job detail below polls the job; this reads the same entry from the cache for the progress bar.
  const q = useQuery(ImportJobQuery, {
    variables: { id: upload.jobId ?? '' },
    skip: !upload.jobId,
    fetchPolicy: 'cache-only',
  });
  const job = q.data?.importJob;
  const finished = job && job.status !== 'RUNNING';
  const size = upload.file.size;
  const sentPct = size ? (upload.sent / size) * 100 : 0;
  const readPct = job && size ? Math.min(100, (job.bytesRead / size) * 100) : 0;
  const progress = finished ? 100 : job ? Math.max(readPct, 2) : sentPct * 0.5;

  return (
    <section className="upload" aria-live="polite" data-testid="upload-progress">
      <div className="upload__head">
        <strong>{upload.file.name}</strong>
        {job ? (
          <Chip tone={statusTone(job.status)}>{job.status.toLowerCase()}</Chip>
        ) : upload.error ? (
          <Chip tone="critical">failed</Chip>
        ) : (
          <Chip tone="info">uploading</Chip>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(progress)}
        aria-label="Import progress"
      >
        <span
          style={{ width: `${progress}%` }}
          className={
            upload.error || job?.status === 'FAILED' ? 'is-error' : job?.status === 'INTERRUPTED' ? 'is-warn' : ''
          }
        />
      </div>
      {upload.error && (
        <p className="error-text" role="alert" data-testid="upload-error">
          {upload.error}
        </p>
      )}
      {upload.jobId && (
        <ImportJobDetail key={upload.jobId} jobId={upload.jobId} live onFinished={onDone} onResend={onResend} />
      )}
    </section>
  );
}
