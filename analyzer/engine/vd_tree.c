#include "vd_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "vd_alloc.h"

/* A (device, inode) set for --follow-symlinks: folders entered and files visited. */
struct tree_id {
    uint64_t dev;
    uint64_t ino;
};

struct tree_seen {
    struct tree_id *slots; /* open addressing; ino 0 with dev 0 marks a free slot */
    size_t cap;            /* a power of two */
    size_t count;
};

struct vd_tree {
    struct vd_tree_options opt;
    struct tree_seen seen;
    vd_tree_visit visit;
    void *arg;
    bool stopped;
    bool nomem;
};

struct vd_tree *vd_tree_new(const struct vd_tree_options *opt)
{
    struct vd_tree *tree = vd_calloc_array(1, sizeof(*tree));

    if (tree != NULL) {
        tree->opt = *opt;
    }
    return tree;
}

void vd_tree_free(struct vd_tree *tree)
{
    if (tree != NULL) {
        vd_free(tree->seen.slots);
        vd_free(tree);
    }
}

uint64_t vd_tree_shard(const char *rel, uint64_t count)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a, 64 bits */

    for (const unsigned char *p = (const unsigned char *)rel; *p != '\0'; p++) {
        h = (h ^ *p) * 0x100000001b3u;
    }
    return count == 0 ? 0 : h % count;
}

static size_t seen_slot(const struct tree_seen *s, struct tree_id id)
{
    uint64_t h = (id.ino * 0x9e3779b97f4a7c15u) ^ (id.dev * 0xc2b2ae3d27d4eb4fu);
    size_t i = (size_t)(h >> 17) & (s->cap - 1);

    while ((s->slots[i].dev != 0 || s->slots[i].ino != 0) &&
           (s->slots[i].dev != id.dev || s->slots[i].ino != id.ino)) {
        i = (i + 1) & (s->cap - 1);
    }
    return i;
}

static bool seen_grow(struct tree_seen *s)
{
    struct tree_seen bigger = {NULL, s->cap == 0 ? 256 : s->cap * 2, 0};

    bigger.slots = vd_calloc_array(bigger.cap, sizeof(*bigger.slots));
    if (bigger.slots == NULL) {
        return false;
    }
    for (size_t i = 0; i < s->cap; i++) {
        if (s->slots[i].dev != 0 || s->slots[i].ino != 0) {
            bigger.slots[seen_slot(&bigger, s->slots[i])] = s->slots[i];
            bigger.count++;
        }
    }
    vd_free(s->slots);
    *s = bigger;
    return true;
}

/* Adds the identity; *fresh tells whether it was new. False when out of memory. */
static bool seen_add(struct tree_seen *s, const struct stat *sb, bool *fresh)
{
    struct tree_id id = {(uint64_t)sb->st_dev, (uint64_t)sb->st_ino};
    size_t i;

    if (id.dev == 0 && id.ino == 0) {
        id.ino = 1; /* (0, 0) marks a free slot; no real file has it, but be exact anyway */
    }
    if ((s->count + 1) * 2 > s->cap && !seen_grow(s)) {
        return false;
    }
    i = seen_slot(s, id);
    *fresh = s->slots[i].dev != id.dev || s->slots[i].ino != id.ino;
    if (*fresh) {
        s->slots[i] = id;
        s->count++;
    }
    return true;
}

static void tree_emit(struct vd_tree *tree, struct vd_tree_entry *e)
{
    if (!tree->stopped && !tree->visit(tree->arg, e)) {
        tree->stopped = true;
    }
}

static void tree_unreadable(struct vd_tree *tree, const char *path, const char *rel, int err_no)
{
    struct vd_tree_entry e = {
        .kind = VD_TREE_UNREADABLE, .path = path, .rel = rel, .err_no = err_no};
    tree_emit(tree, &e);
}

/*
 * A folder's names carry a trailing '/' while they are sorted: "b/" sorts after "b.txt" as
 * "b/c" does, so the depth-first walk visits paths in plain bytewise order of the whole
 * path (what `LC_ALL=C sort` gives), not merely folder by folder.
 */
static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* name, with a '/' appended when it is a folder (followed through a link when follow). */
static char *sort_key(DIR *dir, const char *name, bool follow)
{
    struct stat sb;
    size_t len = strlen(name);
    bool folder = fstatat(dirfd(dir), name, &sb, follow ? 0 : AT_SYMLINK_NOFOLLOW) == 0 &&
                  S_ISDIR(sb.st_mode);
    char *key = vd_malloc(len + 2);

    if (key != NULL) {
        memcpy(key, name, len);
        key[len] = '/';
        key[len + (folder ? 1 : 0)] = '\0';
    }
    return key;
}

static void free_names(char **names, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        vd_free(names[i]);
    }
    vd_free(names);
}

/* The names in the folder, "." and ".." left out, in walk order; NULL with errno set. */
static char **list_folder(const char *path, bool follow, size_t *count, bool *nomem)
{
    DIR *dir = opendir(path);
    char **names = NULL;
    size_t cap = 0;
    struct dirent *d;

    *count = 0;
    if (dir == NULL) {
        return NULL;
    }
    errno = 0;
    while ((d = readdir(dir)) != NULL) {
        if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0) {
            continue;
        }
        if (*count == cap) {
            size_t grown = cap == 0 ? 64 : cap * 2;
            char **bigger = vd_realloc_array(names, grown, sizeof(*names));
            if (bigger == NULL) {
                goto fail;
            }
            names = bigger;
            cap = grown;
        }
        names[*count] = sort_key(dir, d->d_name, follow);
        if (names[*count] == NULL) {
            goto fail;
        }
        ++*count;
        errno = 0;
    }
    if (errno != 0) {
        int saved = errno;
        free_names(names, *count);
        closedir(dir);
        errno = saved;
        *count = 0;
        return NULL;
    }
    closedir(dir);
    if (names == NULL) {
        names = vd_malloc(1); /* an empty folder is not an error */
        if (names == NULL) {
            *nomem = true;
        }
        return names;
    }
    qsort(names, *count, sizeof(*names), compare_names);
    for (size_t i = 0; i < *count; i++) {
        size_t len = strlen(names[i]);
        if (len > 1 && names[i][len - 1] == '/') {
            names[i][len - 1] = '\0'; /* sorted: the key's '/' has done its work */
        }
    }
    return names;
fail:
    *nomem = true;
    free_names(names, *count);
    closedir(dir);
    *count = 0;
    return NULL;
}

static void walk_entry(struct vd_tree *tree, const char *path, const char *rel, unsigned depth,
                       bool is_root);

/* Joins a and b with one '/'; NULL (ENAMETOOLONG or out of memory, see *nomem). */
static char *join_path(const char *a, const char *b, bool *nomem)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    bool slash = la > 0 && a[la - 1] != '/';
    char *out;

    if (la + lb + 2 > PATH_MAX) {
        errno = ENAMETOOLONG;
        return NULL;
    }
    out = vd_malloc(la + lb + 2);
    if (out == NULL) {
        *nomem = true;
        return NULL;
    }
    memcpy(out, a, la);
    if (slash) {
        out[la++] = '/';
    }
    memcpy(out + la, b, lb + 1);
    return out;
}

static void walk_folder(struct vd_tree *tree, const char *path, const char *rel, unsigned depth)
{
    size_t count = 0;
    char **names;

    if (depth >= VD_TREE_MAX_DEPTH) {
        tree_unreadable(tree, path, rel, ENAMETOOLONG);
        return;
    }
    names = list_folder(path, tree->opt.follow_symlinks, &count, &tree->nomem);
    if (names == NULL) {
        if (!tree->nomem) {
            tree_unreadable(tree, path, rel, errno);
        }
        tree->stopped |= tree->nomem;
        return;
    }
    for (size_t i = 0; i < count && !tree->stopped; i++) {
        char *child = join_path(path, names[i], &tree->nomem);
        /* rel is a suffix of path: when the child's path fits, so does its rel. */
        char *child_rel = child == NULL ? NULL : join_path(rel, names[i], &tree->nomem);
        if (child_rel != NULL) {
            walk_entry(tree, child, child_rel, depth + 1, false);
        } else if (!tree->nomem) {
            tree_unreadable(tree, path, rel, ENAMETOOLONG); /* a name too long here */
        }
        vd_free(child);
        vd_free(child_rel);
        tree->stopped |= tree->nomem;
    }
    free_names(names, count);
}

/* With --follow-symlinks a folder or file reached twice is walked or visited once. */
static bool first_visit(struct vd_tree *tree, const struct stat *sb)
{
    bool fresh = true;

    if (!tree->opt.follow_symlinks) {
        return true;
    }
    if (!seen_add(&tree->seen, sb, &fresh)) {
        tree->nomem = true;
        tree->stopped = true;
        return false;
    }
    return fresh;
}

static void walk_entry(struct vd_tree *tree, const char *path, const char *rel, unsigned depth,
                       bool is_root)
{
    struct vd_tree_entry e = {.path = path, .rel = rel};
    struct stat sb;
    /* A root is followed: the examiner named it. Below it, links only when asked. */
    bool follow = is_root || tree->opt.follow_symlinks;

    if ((follow ? stat(path, &sb) : lstat(path, &sb)) != 0) {
        int err_no = errno;
        /* A dangling link is still a link, not an unreadable file. */
        if (!is_root && lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
            e.kind = VD_TREE_SYMLINK;
            tree_emit(tree, &e);
            return;
        }
        tree_unreadable(tree, path, rel, err_no);
        return;
    }
    if (S_ISLNK(sb.st_mode)) {
        e.kind = VD_TREE_SYMLINK;
        tree_emit(tree, &e);
    } else if (S_ISDIR(sb.st_mode)) {
        if (!is_root && tree->opt.enter != NULL && !tree->opt.enter(tree->arg, &e)) {
            return;
        }
        if (first_visit(tree, &sb)) {
            walk_folder(tree, path, rel, depth);
        } else if (!tree->stopped) {
            e.kind = VD_TREE_LOOP;
            tree_emit(tree, &e);
        }
    } else if (S_ISREG(sb.st_mode)) {
        e.kind = VD_TREE_FILE;
        e.size = (uint64_t)sb.st_size;
        e.device = (uint64_t)sb.st_dev;
        e.inode = (uint64_t)sb.st_ino;
        if (tree->opt.want_file != NULL && !tree->opt.want_file(tree->arg, &e)) {
            return;
        }
        if (first_visit(tree, &sb)) {
            tree_emit(tree, &e);
        } else if (!tree->stopped) {
            e.kind = VD_TREE_LOOP;
            tree_emit(tree, &e);
        }
    } else {
        e.kind = VD_TREE_SPECIAL;
        tree_emit(tree, &e);
    }
}

bool vd_tree_walk(struct vd_tree *tree, const char *root, vd_tree_visit visit, void *arg,
                  bool *nomem)
{
    const char *base = strrchr(root, '/');
    struct stat sb;

    tree->visit = visit;
    tree->arg = arg;
    tree->stopped = false;
    tree->nomem = false;
    /* A root file is known by its name for sharding; a root folder's entries by their path
     * below it. */
    if (stat(root, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
        walk_entry(tree, root, base != NULL && base[1] != '\0' ? base + 1 : root, 0, true);
    } else {
        walk_entry(tree, root, "", 0, true);
    }
    *nomem = tree->nomem;
    return !tree->stopped;
}
