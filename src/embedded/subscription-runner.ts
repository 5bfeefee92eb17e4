/**
 * Our own small Subscription → bot dispatch for the in-memory Medplum, following the same Subscription definitions
 * a server gets (src/medplum/deployment.ts): supported interactions, FHIRPath criteria over %previous/%current,
 * delete events as `{ deletedResource }` with `X-Medplum-Interaction: delete`, at-least-once redelivery of a failed
 * run, and custom operations backed by a bot. Writes are observed on the repository, so every write path counts.
 */
import { getStatus, isFhirCriteriaMet, notFound, OperationOutcomeError, type BotEvent } from '@medplum/core';
import type { ProjectSetting, Reference, Resource, Subscription } from '@medplum/fhirtypes';
import type { MockClient } from '@medplum/mock';
import { INTERACTION } from '../medplum/deployment.ts';

/** A bot handler, as bots/*.ts export it. */
export type BotHandler = (medplum: MockClient, event: BotEvent) => Promise<unknown>;

type Interaction = 'create' | 'update' | 'delete';

interface QueuedEvent {
  subscription: Subscription;
  interaction: Interaction;
  current: Resource;
  previous?: Resource;
  attempts: number;
}

/** A registered bot. */
export interface RegisteredBot {
  name: string;
  id: string;
  handler: BotHandler;
}

/** Dispatches repository writes to bots. */
export class SubscriptionRunner {
  private readonly queue: QueuedEvent[] = [];
  private readonly bots = new Map<string, RegisteredBot>();
  private readonly subscriptions: Subscription[] = [];
  private readonly operations = new Map<string, RegisteredBot>();
  /** Bot runs so far, by bot name. */
  readonly runs = new Map<string, number>();
  /** Failed runs (they are redelivered). */
  readonly failures: { bot: string; error: string }[] = [];

  constructor(
    readonly medplum: MockClient,
    readonly secrets: Record<string, ProjectSetting>,
    readonly maxAttempts = 5
  ) {
    const repo = medplum.repo;
    const create = repo.createResource.bind(repo);
    const conditionalCreate = repo.conditionalCreate.bind(repo);
    const del = repo.deleteResource.bind(repo);
    // MemoryRepository's conditional create writes without going through createResource.
    repo.conditionalCreate = async <T extends Resource>(
      resource: T,
      search: never,
      options?: never
    ): ReturnType<typeof conditionalCreate<T>> => {
      const result = await conditionalCreate(resource, search, options);
      if (getStatus(result.outcome) === 201) {
        await this.enqueue('create', result.resource);
      }
      return result;
    };
    repo.createResource = async <T extends Resource>(
      resource: T,
      options?: never,
      update?: boolean
    ): ReturnType<typeof create<T>> => {
      const previous =
        update && resource.id && this.watches(resource.resourceType)
          ? await repo.readResource(resource.resourceType, resource.id).catch(() => undefined)
          : undefined;
      const result = await create(resource, options, update);
      await this.enqueue(update ? 'update' : 'create', result, previous);
      return result;
    };
    repo.deleteResource = async (resourceType: string, id: string, options?: never): Promise<void> => {
      const previous = this.watches(resourceType)
        ? await repo.readResource(resourceType, id).catch(() => undefined)
        : undefined;
      await del(resourceType, id, options);
      if (previous) {
        await this.enqueue('delete', previous);
      }
    };
  }

  /**
   * Registers a bot, its Subscriptions and whether it implements $generate-fhir-manifest.
   * @param bot - The bot.
   * @param subscriptions - Its Subscriptions (channel endpoint `Bot/{id}`).
   * @param operationCode - The custom operation it implements, if any.
   */
  register(bot: RegisteredBot, subscriptions: Subscription[], operationCode?: string): void {
    this.bots.set(bot.id, bot);
    this.subscriptions.push(...subscriptions);
    if (operationCode) {
      this.operations.set(operationCode, bot);
    }
  }

  private interactions(sub: Subscription): Interaction[] {
    const listed = (sub.extension ?? []).filter((e) => e.url === INTERACTION).map((e) => e.valueCode as Interaction);
    return listed.length ? listed : ['create', 'update', 'delete'];
  }

  /** Whether any Subscription watches this resource type (only then are previous versions read). */
  private watches(resourceType: string): boolean {
    return this.subscriptions.some((sub) => sub.criteria.split('?')[0] === resourceType);
  }

  private async matches(
    sub: Subscription,
    interaction: Interaction,
    current: Resource,
    previous?: Resource
  ): Promise<boolean> {
    if (sub.status !== 'active' || sub.criteria.split('?')[0] !== current.resourceType) {
      return false;
    }
    if (!this.interactions(sub).includes(interaction)) {
      return false;
    }
    // The server's own evaluation of the FHIRPath criteria (%current, %previous).
    return interaction === 'delete' || isFhirCriteriaMet(sub, current, () => Promise.resolve(previous));
  }

  private async enqueue(interaction: Interaction, current: Resource, previous?: Resource): Promise<void> {
    for (const subscription of this.subscriptions) {
      if (await this.matches(subscription, interaction, current, previous)) {
        this.queue.push({ subscription, interaction, current: structuredClone(current), previous, attempts: 0 });
      }
    }
  }

  private event(bot: RegisteredBot, input: unknown, headers: Record<string, string> = {}): BotEvent {
    return {
      bot: { reference: `Bot/${bot.id}` },
      contentType: 'application/fhir+json',
      input,
      secrets: this.secrets,
      headers,
    };
  }

  private async run(bot: RegisteredBot, input: unknown, headers?: Record<string, string>): Promise<unknown> {
    this.runs.set(bot.name, (this.runs.get(bot.name) ?? 0) + 1);
    return bot.handler(this.medplum, this.event(bot, input, headers));
  }

  /**
   * Delivers queued events until none is left; a failed delivery is retried up to maxAttempts.
   * @param limit - Deliveries at most (a guard against loops).
   * @param concurrency - Deliveries run at once.
   * @returns The number of deliveries.
   * @throws Error when the limit is reached (a bot keeps triggering itself).
   */
  async drain(limit = 200, concurrency = 1): Promise<number> {
    let delivered = 0;
    while (this.queue.length) {
      const batch = this.queue.splice(0, concurrency);
      await Promise.all(
        batch.map(async (item) => {
          const botId = item.subscription.channel.endpoint?.replace(/^Bot\//, '') ?? '';
          const bot = this.bots.get(botId);
          if (!bot) {
            return;
          }
          delivered++;
          if (delivered > limit) {
            throw new Error(`more than ${limit} deliveries: a bot keeps triggering itself`);
          }
          const input = item.interaction === 'delete' ? { deletedResource: item.current } : item.current;
          const headers = { 'X-Medplum-Interaction': item.interaction };
          try {
            await this.run(bot, input, headers);
          } catch (err) {
            this.failures.push({ bot: bot.name, error: err instanceof Error ? err.message : String(err) });
            if (item.attempts + 1 < this.maxAttempts) {
              this.queue.push({ ...item, attempts: item.attempts + 1 });
            }
          }
        })
      );
    }
    return delivered;
  }

  /**
   * `Bot/{id}/$execute`.
   * @param name - The bot's name.
   * @param input - The request body.
   * @returns The bot's result.
   */
  async execute(name: string, input: unknown): Promise<unknown> {
    const bot = [...this.bots.values()].find((b) => b.name === name);
    if (!bot) {
      throw new Error(`no bot ${name}`);
    }
    return this.run(bot, input);
  }

  /**
   * `ImagingStudy/{id}/$code` as the server runs a bot-backed instance operation: the resource is read first
   * (unknown id → 404 before the bot runs), then given to the bot as its input.
   * @param code - The operation code.
   * @param reference - The instance.
   * @returns The bot's result.
   */
  async operation(code: string, reference: Reference): Promise<unknown> {
    const bot = this.operations.get(code);
    if (!bot) {
      throw new OperationOutcomeError(notFound);
    }
    const resource = await this.medplum.readReference(reference);
    return this.run(bot, resource);
  }
}
