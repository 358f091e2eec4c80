/**
 * Structured logging (pino). One root logger per process, child loggers per job/component.
 * Tokens and URLs with credentials are redacted by path and by pattern, so a secret can never
 * reach a log line even when an error message quotes a request URL.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

const SECRET_PATTERNS: readonly RegExp[] = [
  /\/bot\d+:[A-Za-z0-9_-]{20,}/g, // Telegram API path with token
  /\b\d{6,}:[A-Za-z0-9_-]{30,}\b/g, // bare Telegram token
  /\b[A-Za-z0-9_-]{24,}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,}\b/g, // Discord token
  /(\w+:\/\/)[^/@\s:]+:[^/@\s]+@/g, // user:pass@ in URLs
];

/** Removes anything that looks like a credential from free text (error messages, URLs). */
export function redactSecrets(text: string): string {
  let out = text;
  for (const re of SECRET_PATTERNS) {
    out = out.replace(re, (m, scheme?: string) =>
      typeof scheme === 'string' && m.startsWith(scheme) ? `${scheme}***@` : '***',
    );
  }
  return out;
}

export interface LoggerOptions {
  level?: string;
  /** Where lines go; stderr by default so stdout stays clean for JSON output commands. */
  destination?: DestinationStream;
  /** 'pretty': one readable line per entry (people at a terminal); 'json' (default): JSON lines. */
  format?: 'pretty' | 'json';
}

/**
 * LOG_FORMAT → the format to use: `auto` is pretty when stderr is a terminal (someone is
 * reading) and JSON otherwise (a container, a pipe, a log collector).
 */
export function resolveLogFormat(setting: 'auto' | 'pretty' | 'json', stderrIsTty: boolean): 'pretty' | 'json' {
  return setting === 'auto' ? (stderrIsTty ? 'pretty' : 'json') : setting;
}

/** Readable lines on stderr, written synchronously (no worker thread, nothing lost at exit). */
function prettyStream(colorize: boolean): DestinationStream {
  return PinoPretty({ destination: 2, sync: true, colorize, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' });
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  return pino(
    {
      level: opts.level ?? 'info',
      redact: {
        paths: [
          'token',
          '*.token',
          'config.discordToken',
          'config.telegramBotToken',
          'headers.authorization',
          '*.headers.authorization',
        ],
        censor: '***',
      },
      hooks: {
        logMethod(args, method) {
          const redacted = args.map((a) => (typeof a === 'string' ? redactSecrets(a) : a)) as typeof args;
          method.apply(this, redacted);
        },
      },
      formatters: {
        log(obj) {
          const err = obj['err'];
          if (err instanceof Error) {
            return {
              ...obj,
              err: { name: err.name, message: redactSecrets(err.message), stack: redactSecrets(err.stack ?? '') },
            };
          }
          return obj;
        },
      },
    },
    opts.destination ?? (opts.format === 'pretty' ? prettyStream(process.stderr.isTTY === true) : pino.destination(2)),
  );
}

/** A logger that drops everything (tests, benches). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
