/*
 * repl_edit.c - the shell's line editor (libedit): prompts, history, tab completion.
 *
 * History: one entry per typed line, kept by libedit for the arrow keys and appended to the
 * history file ($WEIR_HISTORY, else ~/.weir_history; mode 0600) as soon as it is typed, one
 * plain line per entry.  Before a line is stored anywhere, the values of credential-like keys
 * in `key = value` pairs (SET 'sasl.jaas.config' = '...', WITH (password = '...'), DEFINE
 * api_key = '...') are replaced by [hidden] - also when the value started on an earlier line.
 *
 * Completion (Tab): SQL keywords (the parser's table) and the names of streams, tables and
 * topics, which the loop thread refreshes after every statement.  A word typed in lower case
 * is completed in lower case (unquoted identifiers are case-insensitive).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "repl_int.h"
#include "sql.h"

#define HISTORY_SIZE 1000

/* ---------------------------------------------------------------- redaction */

/* credential-like keys: wr_secret_key (base.c), shared with SET's reply */
static int secret_key(const char *s, size_t n) { return wr_secret_key(s, n); }

/* Tokens the redactor cares about. */
enum { TK_WORD, TK_QUOTED, TK_EQ, TK_OTHER };

typedef struct token {
    int kind;
    size_t start, end;          /* bytes; for TK_QUOTED the quotes included (end may be the
                                   scanned range's end when the quote is not closed) */
} token;

/* A comment skipped by next_token: its body is scanned on its own afterwards, so a secret
 * in a comment is hidden too and an apostrophe in one ("-- don't") cannot swallow what
 * follows. */
typedef struct comments {
    size_t *start, *end;
    int n, cap;
} comments;

static int word_char(int c) { return isalnum(c) || c == '_' || c == '.' || c == '$' || c == '{' || c == '}'; }

static void comment_add(comments *cm, size_t start, size_t end)
{
    if (!cm) return;
    if (cm->n == cm->cap) {
        cm->cap = cm->cap ? 2 * cm->cap : 8;
        cm->start = wr_xrealloc(cm->start, (size_t)cm->cap * sizeof *cm->start);
        cm->end = wr_xrealloc(cm->end, (size_t)cm->cap * sizeof *cm->end);
    }
    cm->start[cm->n] = start;
    cm->end[cm->n++] = end;
}

/* Next token of s[*i..n); 0 at the end.  Whitespace and comments are skipped (comment bodies
 * recorded in cm when it is not NULL). */
static int next_token(const char *s, size_t n, size_t *i, token *tk, comments *cm)
{
    while (*i < n) {
        unsigned char c = (unsigned char)s[*i];
        if (isspace(c)) {
            (*i)++;
        } else if (c == '-' && *i + 1 < n && s[*i + 1] == '-') {
            size_t st = *i + 2;
            while (*i < n && s[*i] != '\n') (*i)++;
            comment_add(cm, st, *i);
        } else if (c == '/' && *i + 1 < n && s[*i + 1] == '*') {
            size_t st = *i + 2, e = st;
            while (e + 1 < n && !(s[e] == '*' && s[e + 1] == '/')) e++;
            comment_add(cm, st, e + 1 < n ? e : n);
            *i = e + 1 < n ? e + 2 : n;
        } else {
            break;
        }
    }
    if (*i >= n) return 0;
    size_t st = *i;
    char c = s[st];
    tk->start = st;
    if (c == '\'' || c == '"' || c == '`') {
        size_t j = st + 1;
        for (; j < n; j++) {
            if (s[j] != c) continue;
            if (j + 1 < n && s[j + 1] == c) { j++; continue; } /* doubled quote */
            break;
        }
        tk->kind = TK_QUOTED;
        tk->end = j < n ? j + 1 : n;
    } else if (word_char((unsigned char)c) || c == '-') {
        size_t j = st + 1;
        while (j < n && word_char((unsigned char)s[j])) j++;
        tk->kind = TK_WORD;
        tk->end = j;
    } else if (c == '=' && !(st + 1 < n && (s[st + 1] == '=' || s[st + 1] == '>')) &&
               !(st > 0 && strchr("<>!", s[st - 1]))) {
        tk->kind = TK_EQ;
        tk->end = st + 1;
    } else {
        tk->kind = TK_OTHER;
        tk->end = st + 1;
    }
    *i = tk->end;
    return 1;
}

/* Marks in hidden[] the values of secret keys in `key = value` pairs of s[from..n). */
static void mark_secrets(const char *s, size_t from, size_t n, char *hidden, comments *cm)
{
    token t[3];
    int have = 0;
    size_t i = from;
    token tk;
    while (next_token(s, n, &i, &tk, cm)) {
        if (have == 3) {
            t[0] = t[1];
            t[1] = t[2];
            have = 2;
        }
        t[have++] = tk;
        if (have < 3 || t[1].kind != TK_EQ) continue;
        if (t[0].kind != TK_WORD && t[0].kind != TK_QUOTED) continue;
        size_t ks = t[0].start, ke = t[0].end;
        if (t[0].kind == TK_QUOTED) {
            ks++;
            if (ke > ks && s[ke - 1] == s[t[0].start]) ke--;
        }
        if (!secret_key(s + ks, ke - ks)) continue;
        size_t vs = t[2].start, ve = t[2].end;
        if (t[2].kind == TK_QUOTED) {
            vs++;
            if (ve > vs && s[ve - 1] == s[t[2].start]) ve--;
        } else if (t[2].kind != TK_WORD) {
            continue;
        }
        memset(hidden + vs, 1, ve - vs);
    }
}

void wr_repl_redact(const char *text, size_t from, wr_buf *out)
{
    size_t n = strlen(text);
    char *hidden = wr_xcalloc(n + 1, 1);
    comments cm = {0};
    mark_secrets(text, 0, n, hidden, &cm);
    for (int k = 0; k < cm.n; k++) mark_secrets(text, cm.start[k], cm.end[k], hidden, NULL);
    free(cm.start);
    free(cm.end);
    /* copy from `from`, each run of hidden bytes on a line as one [hidden] */
    for (size_t k = from; k < n; k++) {
        if (!hidden[k] || text[k] == '\n') {
            wr_buf_putc(out, text[k]);
            continue;
        }
        wr_buf_puts(out, "[hidden]");
        while (k + 1 < n && hidden[k + 1] && text[k + 1] != '\n') k++;
    }
    if (!out->data) wr_buf_puts(out, "");
    free(hidden);
}

/* ---------------------------------------------------------------- history */

static void history_load(wr_shell *sh)
{
    FILE *f = fopen(sh->hist_path, "r");
    if (!f) return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    HistEvent ev;
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
        if (n > 0) history(sh->hist, &ev, H_ENTER, line);
    }
    free(line);
    fclose(f);
}

void wr_repl_history_add(wr_shell *sh, const char *prior, const char *line)
{
    if (!sh->hist) return;
    const char *p = line;
    while (*p && isspace((unsigned char)*p)) p++;
    if (!*p) return;
    wr_buf all, red;
    wr_buf_init(&all);
    wr_buf_init(&red);
    wr_buf_puts(&all, prior ? prior : "");
    size_t from = all.len;
    wr_buf_puts(&all, line);
    wr_repl_redact(all.data, from, &red);
    HistEvent ev;
    history(sh->hist, &ev, H_ENTER, red.data);
    if (sh->hist_path) {
        int fd = open(sh->hist_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (fd >= 0) {
            wr_buf_putc(&red, '\n');
            ssize_t w = write(fd, red.data, red.len);
            (void)w;
            close(fd);
        }
    }
    wr_buf_fini(&all);
    wr_buf_fini(&red);
}

void wr_repl_history_list(wr_shell *sh)
{
    if (!sh->hist) return;
    HistEvent ev;
    /* H_LAST is the oldest entry; H_PREV walks towards the newest */
    int i = 1;
    for (int rc = history(sh->hist, &ev, H_LAST); rc == 0; rc = history(sh->hist, &ev, H_PREV))
        wr_repl_outf(sh, stdout, "%5d  %s\n", i++, ev.str);
}

/* Keeps the file at most twice the in-memory size: rewrites it with the last entries. */
static void history_trim(wr_shell *sh)
{
    FILE *f = fopen(sh->hist_path, "r");
    if (!f) return;
    char **lines = NULL;
    size_t nlines = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    while (getline(&line, &lcap, f) >= 0) {
        if (nlines == cap) {
            cap = cap ? 2 * cap : 256;
            lines = wr_xrealloc(lines, cap * sizeof *lines);
        }
        lines[nlines++] = wr_xstrdup(line);
    }
    free(line);
    fclose(f);
    if (nlines > 2 * HISTORY_SIZE) {
        wr_buf tmp;
        wr_buf_init(&tmp);
        wr_buf_printf(&tmp, "%s.tmp", sh->hist_path);
        int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd >= 0) {
            int ok = 1;
            for (size_t i = nlines - HISTORY_SIZE; i < nlines; i++)
                if (write(fd, lines[i], strlen(lines[i])) < 0) ok = 0;
            close(fd);
            if (!ok || rename(tmp.data, sh->hist_path) != 0) unlink(tmp.data);
        }
        wr_buf_fini(&tmp);
    }
    for (size_t i = 0; i < nlines; i++) free(lines[i]);
    free(lines);
}

/* ---------------------------------------------------------------- completion */

static int complete_char(int c) { return isalnum(c) || c == '_' || c == '.' || c == '-' || c == '$'; }

static int has_lower(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (islower((unsigned char)s[i])) return 1;
    return 0;
}

static int has_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isupper((unsigned char)s[i])) return 1;
    return 0;
}

static int cand_cmp(const void *a, const void *b)
{
    return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Candidates listed under the line, in columns; libedit redraws the prompt afterwards. */
static void list_candidates(wr_shell *sh, const char **cand, int n)
{
    size_t w = 0;
    for (int i = 0; i < n; i++)
        if (strlen(cand[i]) > w) w = strlen(cand[i]);
    int per = (int)(78 / (w + 2));
    if (per < 1) per = 1;
    wr_buf b;
    wr_buf_init(&b);
    wr_buf_putc(&b, '\n');
    for (int i = 0; i < n; i++)
        wr_buf_printf(&b, "%-*s%s", (int)w + 2, cand[i], (i + 1) % per == 0 || i + 1 == n ? "\n" : "");
    wr_repl_out(sh, stdout, b.data, b.len);
    wr_buf_fini(&b);
}

static unsigned char on_complete(EditLine *el, int ch)
{
    wr_shell *sh = NULL;
    el_get(el, EL_CLIENTDATA, &sh);
    const LineInfo *li = el_line(el);
    const char *start = li->cursor;
    while (start > li->buffer && complete_char((unsigned char)start[-1])) start--;
    size_t plen = (size_t)(li->cursor - start);
    if (plen == 0) return CC_REFRESH_BEEP;

    int nnames;
    char **names = wr_repl_names_copy(sh, &nnames);
    int cap = nnames + 600, n = 0;
    const char **cand = wr_xcalloc((size_t)cap, sizeof *cand);
    for (int i = 0; i < nnames; i++)
        if (strncasecmp(names[i], start, plen) == 0) cand[n++] = names[i];
    for (int i = 0; sql_keywords[i] && n < cap; i++)
        if (strncasecmp(sql_keywords[i], start, plen) == 0) cand[n++] = sql_keywords[i];
    qsort(cand, (size_t)n, sizeof *cand, cand_cmp);
    int m = 0; /* drop case-insensitive duplicates (stream PAYMENTS, topic payments) */
    for (int i = 0; i < n; i++)
        if (m == 0 || strcasecmp(cand[m - 1], cand[i]) != 0) cand[m++] = cand[i];
    n = m;

    unsigned char rc = CC_REFRESH_BEEP;
    if (n > 0) {
        size_t common = strlen(cand[0]);
        for (int i = 1; i < n; i++) {
            size_t k = 0;
            while (k < common && cand[i][k] &&
                   tolower((unsigned char)cand[i][k]) == tolower((unsigned char)cand[0][k]))
                k++;
            common = k;
        }
        if (common > plen || n == 1) {
            /* typed in lower case and the name has no lower case: complete in lower case */
            int lower = has_lower(start, plen) && !has_upper(start, plen) &&
                        !has_lower(cand[0], strlen(cand[0]));
            wr_buf ins;
            wr_buf_init(&ins);
            for (size_t k = plen; k < common; k++)
                wr_buf_putc(&ins, lower ? (char)tolower((unsigned char)cand[0][k]) : cand[0][k]);
            if (n == 1) wr_buf_putc(&ins, ' ');
            if (ins.len) el_insertstr(el, ins.data);
            wr_buf_fini(&ins);
            rc = CC_REFRESH;
        } else {
            list_candidates(sh, cand, n);
            rc = CC_REDISPLAY;
        }
    }
    free(cand);
    for (int i = 0; i < nnames; i++) free(names[i]);
    free(names);
    return rc;
}

/* ---------------------------------------------------------------- setup */

static char *prompt_fn(EditLine *el)
{
    wr_shell *sh = NULL;
    el_get(el, EL_CLIENTDATA, &sh);
    return sh && sh->pending.len ? "    > " : "weir> ";
}

int wr_repl_edit_init(wr_shell *sh)
{
    sh->el = el_init("weir", stdin, stdout, stderr);
    if (!sh->el) return -1;
    sh->hist = history_init();
    HistEvent ev;
    history(sh->hist, &ev, H_SETSIZE, HISTORY_SIZE);
    history(sh->hist, &ev, H_SETUNIQUE, 1);
    el_set(sh->el, EL_CLIENTDATA, sh);
    el_set(sh->el, EL_EDITOR, "emacs");
    el_set(sh->el, EL_PROMPT, prompt_fn);
    el_set(sh->el, EL_HIST, history, sh->hist);
    /* the wide call: el_set's narrow EL_ADDFN copies the names and never frees them */
    el_wset(sh->el, EL_ADDFN, L"weir-complete", L"complete a keyword or a stream, table or topic name",
            on_complete);
    el_set(sh->el, EL_BIND, "^I", "weir-complete", NULL);
    el_source(sh->el, NULL); /* ~/.editrc */

    const char *path = getenv("WEIR_HISTORY");
    if (path) {
        sh->hist_path = *path ? wr_xstrdup(path) : NULL; /* WEIR_HISTORY= : no file */
    } else if (getenv("HOME")) {
        wr_buf b;
        wr_buf_init(&b);
        wr_buf_printf(&b, "%s/.weir_history", getenv("HOME"));
        sh->hist_path = b.data;
    }
    if (sh->hist_path) {
        history_trim(sh);
        history_load(sh);
    }
    return 0;
}

void wr_repl_edit_fini(wr_shell *sh)
{
    if (sh->el) el_end(sh->el);
    if (sh->hist) history_end(sh->hist);
    sh->el = NULL;
    sh->hist = NULL;
    free(sh->hist_path);
    sh->hist_path = NULL;
}
