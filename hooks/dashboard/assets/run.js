// The run page, live: the log over the run's server-sent events, the status
// and the step bars from /runs/:id/state, until the run has ended.
const log = document.getElementById('log');
const id = log?.dataset.run;
const FINAL = ['succeeded', 'failed', 'superseded', 'cancelled', 'interrupted'];

function line(json) {
  try {
    const entry = JSON.parse(json);
    const time = new Date(entry.time).toISOString().slice(11, 19);
    return `${time} ${entry.step ? `[${entry.step}] ` : ''}${entry.msg}${entry.code ? ` ${entry.code}` : ''}`;
  } catch {
    return json;
  }
}

async function refresh() {
  const response = await fetch(`/runs/${id}/state`, { credentials: 'same-origin' });
  if (!response.ok) return true;
  const state = await response.json();
  document.getElementById('status').innerHTML = state.status_html;
  document.getElementById('steps').innerHTML = state.steps_html;
  document.getElementById('error').innerHTML = state.error_html;
  document.getElementById('facts').innerHTML = state.facts_html;
  log.dataset.status = state.status;
  return state.final;
}

if (id !== undefined && !FINAL.includes(log.dataset.status)) {
  // The stored lines already on the page are skipped: the stream starts after them.
  log.textContent = '';
  const source = new EventSource(`/runs/${id}/log`);
  source.addEventListener('log', (event) => {
    const atEnd = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(`${line(event.data)}\n`);
    if (atEnd) log.scrollTop = log.scrollHeight;
  });
  // Once the run has ended, the stored log (formatted by railyard) replaces the streamed lines.
  source.addEventListener('end', async () => {
    source.close();
    await refresh();
    const stored = await fetch(`/runs/${id}/log`, { credentials: 'same-origin' });
    if (stored.ok) log.textContent = await stored.text();
    log.dataset.stored = 'true';
  });
  source.onerror = () => source.close();
  const timer = setInterval(async () => {
    if (await refresh().catch(() => false)) clearInterval(timer);
  }, 500);
}
