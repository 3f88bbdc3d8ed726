import type { Logger } from '@nestjs/common';

/**
 * Posts a Slack-compatible message (`{"text": …}`) to ALERT_WEBHOOK_URL. An alert never breaks the
 * job: a missing URL, a slow or failing webhook are logged and ignored.
 */
export class AlertSender {
  constructor(
    private readonly url: string | undefined,
    private readonly timeoutMs: number,
    private readonly logger: Logger,
  ) {}

  async send(text: string): Promise<boolean> {
    if (!this.url) return false;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (!response.ok) this.logger.warn({ status: response.status }, 'alert webhook answered an error');
      return response.ok;
    } catch (error) {
      this.logger.warn({ err: error }, 'alert webhook unreachable');
      return false;
    }
  }
}
