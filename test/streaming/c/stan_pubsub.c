/*
 * A NATS Streaming client written against the C client's STAN API
 * (libnats, nats.h with NATS_HAS_STREAMING), driven by
 * test/streaming/c-client.test.ts against our server.
 *
 *   stan_pubsub <url> <cluster-id> <client-id> <channel> <n>
 *
 * What it does, in order (T = 2n+2 messages after step 2):
 *   1. publishes n messages "sync-<i>" with stanConnection_Publish, then an
 *      empty one; stanConnection_PublishAsync n messages "async-<i>" with an
 *      ack handler (MaxPubAcksInflight 16, so the window blocks and
 *      releases), then one BIG_LEN byte message (sync);
 *   2. "all": a non-durable DeliverAllAvailable subscription, all T;
 *   3. "dur1": durable "dur", DeliverAllAvailable, manual acks; acks
 *      sequences 1..n+1 only, then closes the subscription (stays offline);
 *   4. publishes 3 messages "after-<i>" (sync);
 *   5. "dur2": resumes "dur" (auto-ack): the unacked n+2..T redelivered,
 *      then the 3 new ones; closes again;
 *   6. "dur3": resumes "dur" once more: nothing (all acked); unsubscribes;
 *   7. "seq": StartAtSequence(n+2): n+2..T+3.
 *
 * Output, one record per line (data as lowercase hex, "-" when empty):
 *   PUBLISHED sync <count>
 *   ACK <index> <guid> <error or ->        (in the order the handler ran)
 *   MSG <phase> <seq> <redelivered 0|1> <len> <hex>
 *   END <phase> <count>
 *   CLOSED
 * Any failure prints "ERR <what>: <status text> (<last error>)" and exits 1.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nats/nats.h>

#define BIG_LEN 70000
#define WAIT_MS 15000
/* How long to keep listening after the expected count, to catch extras. */
#define SETTLE_MS 250

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what, natsStatus s)
{
    const char *last = nats_GetLastError(NULL);
    printf("ERR %s: %s (%s)\n", what, natsStatus_GetText(s), last ? last : "");
    fflush(stdout);
    exit(1);
}

#define CHECK(call, what)                   \
    do {                                    \
        natsStatus _s = (call);             \
        if (_s != NATS_OK) die((what), _s); \
    } while (0)

/* ---- async publish acks ---- */

typedef struct {
    int index;
    char *guid;
    char *error;
} ackRec;

static ackRec *acks;
static int ackCount;
static int ackCap;

static void onAck(const char *guid, const char *error, void *closure)
{
    pthread_mutex_lock(&mu);
    if (ackCount == ackCap) { /* more acks than publishes: keep the count, drop the record */
        ackCount++;
        pthread_mutex_unlock(&mu);
        return;
    }
    ackRec *r = &acks[ackCount++];
    r->index = (int)(intptr_t)closure;
    r->guid = strdup(guid ? guid : "");
    r->error = error ? strdup(error) : NULL;
    pthread_mutex_unlock(&mu);
}

/* ---- received messages ---- */

typedef struct {
    uint64_t seq;
    int redelivered;
    int len;
    unsigned char *data;
} msgRec;

typedef struct {
    const char *name;
    msgRec *msgs;
    int count;
    int cap;
    /* Manual-ack mode: ack sequences <= ackUpTo. */
    int manual;
    uint64_t ackUpTo;
} phase;

static void onMsg(stanConnection *sc, stanSubscription *sub, const char *channel, stanMsg *msg, void *closure)
{
    phase *p = (phase *)closure;
    (void)sc;
    (void)channel;
    pthread_mutex_lock(&mu);
    if (p->count == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->msgs = realloc(p->msgs, sizeof(msgRec) * (size_t)p->cap);
    }
    msgRec *r = &p->msgs[p->count++];
    r->seq = stanMsg_GetSequence(msg);
    r->redelivered = stanMsg_IsRedelivered(msg) ? 1 : 0;
    r->len = stanMsg_GetDataLength(msg);
    r->data = malloc((size_t)r->len + 1);
    if (r->len > 0) memcpy(r->data, stanMsg_GetData(msg), (size_t)r->len);
    pthread_mutex_unlock(&mu);
    if (p->manual && r->seq <= p->ackUpTo) {
        natsStatus s = stanSubscription_AckMsg(sub, msg);
        if (s != NATS_OK) die("ack", s);
    }
    stanMsg_Destroy(msg);
}

static int countOf(phase *p)
{
    pthread_mutex_lock(&mu);
    int n = p->count;
    pthread_mutex_unlock(&mu);
    return n;
}

/* Waits for `want` messages (or WAIT_MS), then SETTLE_MS more for extras. */
static void waitFor(phase *p, int want)
{
    for (int waited = 0; countOf(p) < want && waited < WAIT_MS; waited += 5) nats_Sleep(5);
    nats_Sleep(SETTLE_MS);
}

static void printPhase(phase *p)
{
    static const char hex[] = "0123456789abcdef";
    pthread_mutex_lock(&mu);
    for (int i = 0; i < p->count; i++) {
        msgRec *r = &p->msgs[i];
        printf("MSG %s %" PRIu64 " %d %d ", p->name, r->seq, r->redelivered, r->len);
        if (r->len == 0) fputc('-', stdout);
        for (int j = 0; j < r->len; j++) {
            fputc(hex[r->data[j] >> 4], stdout);
            fputc(hex[r->data[j] & 15], stdout);
        }
        fputc('\n', stdout);
    }
    printf("END %s %d\n", p->name, p->count);
    pthread_mutex_unlock(&mu);
    fflush(stdout);
}

typedef enum { START_ALL, START_SEQ } startKind;

static stanSubscription *subscribe(stanConnection *sc, const char *channel, phase *p, const char *durable,
                                   startKind start, uint64_t seq)
{
    stanSubOptions *so = NULL;
    stanSubscription *sub = NULL;
    CHECK(stanSubOptions_Create(&so), "sub options");
    if (start == START_ALL) CHECK(stanSubOptions_DeliverAllAvailable(so), "DeliverAllAvailable");
    else CHECK(stanSubOptions_StartAtSequence(so, seq), "StartAtSequence");
    if (durable) CHECK(stanSubOptions_SetDurableName(so, durable), "durable name");
    if (p->manual) CHECK(stanSubOptions_SetManualAckMode(so, true), "manual ack");
    CHECK(stanSubOptions_SetMaxInflight(so, 1024), "max inflight");
    CHECK(stanConnection_Subscribe(&sub, sc, channel, onMsg, p, so), p->name);
    stanSubOptions_Destroy(so);
    return sub;
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        fprintf(stderr, "usage: %s <url> <cluster-id> <client-id> <channel> <n>\n", argv[0]);
        return 2;
    }
    const char *url = argv[1], *cluster = argv[2], *clientID = argv[3], *channel = argv[4];
    int n = atoi(argv[5]);
    if (n < 1 || n > 1000000) {
        fprintf(stderr, "n must be in 1..1000000\n");
        return 2;
    }
    int total = 2 * n + 2;
    char buf[64];

    stanConnOptions *co = NULL;
    stanConnection *sc = NULL;
    CHECK(stanConnOptions_Create(&co), "conn options");
    CHECK(stanConnOptions_SetURL(co, url), "url");
    CHECK(stanConnOptions_SetMaxPubAcksInflight(co, 16, 0.5f), "max pub acks");
    CHECK(stanConnection_Connect(&sc, cluster, clientID, co), "connect");
    stanConnOptions_Destroy(co);

    /* 1. publish */
    for (int i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof buf, "sync-%d", i);
        CHECK(stanConnection_Publish(sc, channel, buf, len), "publish sync");
    }
    CHECK(stanConnection_Publish(sc, channel, NULL, 0), "publish empty");
    printf("PUBLISHED sync %d\n", n + 1);

    ackCap = 2 * n;
    acks = calloc((size_t)ackCap, sizeof(ackRec));
    for (int i = 0; i < n; i++) {
        int len = snprintf(buf, sizeof buf, "async-%d", i);
        CHECK(stanConnection_PublishAsync(sc, channel, buf, len, onAck, (void *)(intptr_t)i), "publish async");
    }
    for (int waited = 0; waited < WAIT_MS; waited += 5) {
        pthread_mutex_lock(&mu);
        int got = ackCount;
        pthread_mutex_unlock(&mu);
        if (got >= n) break;
        nats_Sleep(5);
    }
    pthread_mutex_lock(&mu);
    if (ackCount > ackCap) printf("ERR %d acks for %d async publishes\n", ackCount, n);
    for (int i = 0; i < ackCount && i < ackCap; i++)
        printf("ACK %d %s %s\n", acks[i].index, acks[i].guid, acks[i].error ? acks[i].error : "-");
    pthread_mutex_unlock(&mu);

    unsigned char *big = malloc(BIG_LEN);
    for (int i = 0; i < BIG_LEN; i++) big[i] = (unsigned char)((i * 7 + 3) & 0xff);
    CHECK(stanConnection_Publish(sc, channel, big, BIG_LEN), "publish big");
    printf("PUBLISHED big %d\n", BIG_LEN);
    fflush(stdout);

    /* 2. everything, non-durable */
    phase all = {.name = "all"};
    stanSubscription *sub = subscribe(sc, channel, &all, NULL, START_ALL, 0);
    waitFor(&all, total);
    CHECK(stanSubscription_Unsubscribe(sub), "unsubscribe all");
    stanSubscription_Destroy(sub);
    printPhase(&all);

    /* 3. durable, manual acks of 1..n+1 only, then close */
    phase dur1 = {.name = "dur1", .manual = 1, .ackUpTo = (uint64_t)n + 1};
    sub = subscribe(sc, channel, &dur1, "dur", START_ALL, 0);
    waitFor(&dur1, total);
    CHECK(stanSubscription_Close(sub), "close dur1");
    stanSubscription_Destroy(sub);
    printPhase(&dur1);

    /* 4. more messages while the durable is offline */
    for (int i = 0; i < 3; i++) {
        int len = snprintf(buf, sizeof buf, "after-%d", i);
        CHECK(stanConnection_Publish(sc, channel, buf, len), "publish after");
    }
    printf("PUBLISHED after 3\n");

    /* 5. resume: unacked ones redelivered first, then the new ones */
    phase dur2 = {.name = "dur2"};
    sub = subscribe(sc, channel, &dur2, "dur", START_ALL, 0);
    waitFor(&dur2, (total - (n + 1)) + 3);
    CHECK(stanSubscription_Close(sub), "close dur2");
    stanSubscription_Destroy(sub);
    printPhase(&dur2);

    /* 6. resume again: all acked, nothing comes; then remove the durable */
    phase dur3 = {.name = "dur3"};
    sub = subscribe(sc, channel, &dur3, "dur", START_ALL, 0);
    waitFor(&dur3, 0);
    CHECK(stanSubscription_Unsubscribe(sub), "unsubscribe dur3");
    stanSubscription_Destroy(sub);
    printPhase(&dur3);

    /* 7. from a sequence */
    phase fromSeq = {.name = "seq"};
    sub = subscribe(sc, channel, &fromSeq, NULL, START_SEQ, (uint64_t)n + 2);
    waitFor(&fromSeq, total + 3 - (n + 1));
    CHECK(stanSubscription_Unsubscribe(sub), "unsubscribe seq");
    stanSubscription_Destroy(sub);
    printPhase(&fromSeq);

    CHECK(stanConnection_Close(sc), "close connection");
    stanConnection_Destroy(sc);
    printf("CLOSED\n");
    fflush(stdout);
    nats_Close();
    return 0;
}
