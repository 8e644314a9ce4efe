// The ask box: a question for the operator lane (an `llm` job, no workspace); its job id shows at once, its answer
// when the job ends.
import { api } from './api.js';
import { byId, el, jobLink, put } from './dom.js';

const asks = new Map(); // jobId → the answer's <pre>

/** `report(err)` shows a failed submit (undefined: the last one went through). */
export function initAsk(report) {
  byId('ask-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void ask(report);
  });
}

async function ask(report) {
  const input = byId('ask-input');
  const prompt = input.value.trim();
  if (!prompt) return;
  const button = byId('ask-submit');
  button.disabled = true;
  try {
    const { jobId } = await api('/api/jobs', {
      method: 'POST',
      body: { prompt, lane: 'operator', kind: 'llm', workspace: 'none' },
    });
    const answer = el('pre', { 'data-testid': 'ask-answer' }, 'waiting for the answer…');
    asks.set(jobId, answer);
    byId('ask-answers').prepend(
      el('li', { 'data-testid': `ask-${jobId}` }, jobLink(jobId), ' ', el('q', {}, prompt), answer),
    );
    input.value = '';
    report(undefined);
  } catch (err) {
    report(err);
  } finally {
    button.disabled = false;
  }
}

/** A `job.ended` event: the answer when it is one of ours (the event's result, else the job's). */
export async function askEnded(data) {
  const answer = asks.get(data.jobId);
  if (!answer) return;
  const result = data.result ?? (await api(`/api/jobs/${encodeURIComponent(data.jobId)}`).catch(() => ({}))).result;
  const failure = result?.failureClass ? ` (${result.failureClass}: ${result.failureMessage ?? ''})` : '';
  put(answer, result?.status === 'succeeded' ? result.finalText || '(no answer)' : `${data.status}${failure}`);
}
