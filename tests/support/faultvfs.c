/*
 * faultvfs: the power-cut VFS (see faultvfs.h). Each open file is a
 * struct ffile followed by the wrapped VFS's own file object. Unsynced
 * operations are a list per file; a read starts from the real file and
 * replays the list over the bytes asked for, so the overlay costs nothing
 * but memory between syncs (SQLite syncs at every commit in WAL mode with
 * synchronous=FULL, and at every checkpoint).
 */
#include "faultvfs.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define SECTOR 512

enum op_kind { OP_WRITE, OP_TRUNCATE };

struct op {
	enum op_kind kind;
	sqlite3_int64 off;      /* write offset, or the truncated size */
	int len;
	unsigned char *data;
};

struct ffile {
	sqlite3_file base;      /* our methods */
	sqlite3_file *real;     /* the wrapped VFS's file, right after us */
	struct op *ops;
	int nops, cap;
	struct ffile *next;     /* every open file, for the cut */
	int open;
};

static sqlite3_vfs *inner;
static sqlite3_vfs vfs;
static struct ffile *files;
static uint64_t arm_at;      /* op count at which the cut comes; 0 none */
static int dead;
static uint32_t rng;
static struct faultvfs_stats st;

static uint32_t rnd(void)
{
	/* xorshift32: reproducible from the test's seed */
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static void ops_clear(struct ffile *f)
{
	for (int i = 0; i < f->nops; i++)
		free(f->ops[i].data);
	f->nops = 0;
}

static int ops_push(struct ffile *f, enum op_kind kind, sqlite3_int64 off, const void *data, int len)
{
	if (f->nops == f->cap) {
		int cap = f->cap ? f->cap * 2 : 16;
		struct op *o = realloc(f->ops, (size_t)cap * sizeof(*o));
		if (!o)
			return SQLITE_NOMEM;
		f->ops = o;
		f->cap = cap;
	}
	struct op *o = &f->ops[f->nops];
	*o = (struct op){ kind, off, len, NULL };
	if (kind == OP_WRITE) {
		o->data = malloc((size_t)len);
		if (!o->data)
			return SQLITE_NOMEM;
		memcpy(o->data, data, (size_t)len);
	}
	f->nops++;
	return SQLITE_OK;
}

/* One operation to the real file; a torn write only in some of its sectors. */
static void apply(struct ffile *f, const struct op *o, int torn)
{
	if (o->kind == OP_TRUNCATE) {
		f->real->pMethods->xTruncate(f->real, o->off);
		return;
	}
	if (!torn) {
		f->real->pMethods->xWrite(f->real, o->data, o->len, o->off);
		return;
	}
	st.torn++;
	sqlite3_int64 end = o->off + o->len;
	for (sqlite3_int64 s = o->off - o->off % SECTOR; s < end; s += SECTOR) {
		sqlite3_int64 a = s < o->off ? o->off : s, b = s + SECTOR < end ? s + SECTOR : end;
		if (rnd() % 2)
			f->real->pMethods->xWrite(f->real, o->data + (a - o->off), (int)(b - a), a);
	}
}

/* The power goes: each file keeps none, a prefix or a random subset of its unsynced operations. */
static void cut(void)
{
	st.cuts++;
	for (struct ffile *f = files; f; f = f->next) {
		int how = (int)(rnd() % 3), keep = 0;
		if (how == 1 && f->nops) {
			keep = (int)(rnd() % (unsigned)(f->nops + 1));
			for (int i = 0; i < keep; i++)
				apply(f, &f->ops[i], i == keep - 1 && rnd() % 2);
		} else if (how == 2) {
			/* Any subset, applied in a shuffled order (the disk reorders). */
			int *idx = malloc((size_t)(f->nops ? f->nops : 1) * sizeof(int));
			int n = 0;
			for (int i = 0; idx && i < f->nops; i++)
				if (rnd() % 2)
					idx[n++] = i;
			for (int i = n - 1; i > 0; i--) {
				int j = (int)(rnd() % (unsigned)(i + 1)), t = idx[i];
				idx[i] = idx[j];
				idx[j] = t;
			}
			for (int i = 0; i < n; i++)
				apply(f, &f->ops[idx[i]], rnd() % 4 == 0);
			keep = n;
			free(idx);
		}
		st.kept += (uint64_t)keep;
		st.dropped += (uint64_t)(f->nops - keep);
		ops_clear(f);
	}
	dead = 1;
	arm_at = 0;
}

/* Counts one write, truncate or sync; 1 if the power is (now) off. */
static int tick(void)
{
	if (dead)
		return 1;
	st.ops++;
	if (arm_at && st.ops >= arm_at) {
		cut();
		return 1;
	}
	return 0;
}

static int f_close(sqlite3_file *file)
{
	struct ffile *f = (struct ffile *)file;
	/* Unsynced data of a file closed without sync is not lost by closing: the
	 * page cache still holds it. Only a cut loses it, so it reaches the disk now. */
	if (!dead)
		for (int i = 0; i < f->nops; i++)
			apply(f, &f->ops[i], 0);
	ops_clear(f);
	free(f->ops);
	for (struct ffile **p = &files; *p; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	int rc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
	return dead ? SQLITE_OK : rc;
}

static sqlite3_int64 overlay_size(struct ffile *f, sqlite3_int64 size)
{
	for (int i = 0; i < f->nops; i++) {
		const struct op *o = &f->ops[i];
		if (o->kind == OP_TRUNCATE)
			size = o->off;
		else if (o->off + o->len > size)
			size = o->off + o->len;
	}
	return size;
}

static int f_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	struct ffile *f = (struct ffile *)file;
	if (dead)
		return SQLITE_IOERR_READ;
	sqlite3_int64 size;
	int rc = f->real->pMethods->xFileSize(f->real, &size);
	if (rc != SQLITE_OK)
		return rc;
	rc = f->real->pMethods->xRead(f->real, buf, amt, off);
	if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ)
		return rc;
	unsigned char *b = buf;
	for (int i = 0; i < f->nops; i++) {
		const struct op *o = &f->ops[i];
		if (o->kind == OP_TRUNCATE) {
			size = o->off;
			if (size < off + amt)
				memset(b + (size > off ? size - off : 0), 0, (size_t)(off + amt - (size > off ? size : off)));
			continue;
		}
		sqlite3_int64 a = o->off > off ? o->off : off;
		sqlite3_int64 e = o->off + o->len < off + amt ? o->off + o->len : off + amt;
		if (a < e)
			memcpy(b + (a - off), o->data + (a - o->off), (size_t)(e - a));
		if (o->off + o->len > size)
			size = o->off + o->len;
	}
	if (off + amt > size) {
		sqlite3_int64 from = size > off ? size - off : 0;
		memset(b + from, 0, (size_t)(amt - from));
		return SQLITE_IOERR_SHORT_READ;
	}
	return SQLITE_OK;
}

static int f_write(sqlite3_file *file, const void *buf, int amt, sqlite3_int64 off)
{
	struct ffile *f = (struct ffile *)file;
	if (tick())
		return SQLITE_IOERR_WRITE;
	return ops_push(f, OP_WRITE, off, buf, amt);
}

static int f_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	struct ffile *f = (struct ffile *)file;
	if (tick())
		return SQLITE_IOERR_TRUNCATE;
	return ops_push(f, OP_TRUNCATE, size, NULL, 0);
}

static int f_sync(sqlite3_file *file, int flags)
{
	struct ffile *f = (struct ffile *)file;
	(void)flags;
	if (tick())
		return SQLITE_IOERR_FSYNC;
	st.syncs++;
	/* What the disk now holds for good; the real fsync is not needed for the simulation. */
	for (int i = 0; i < f->nops; i++)
		apply(f, &f->ops[i], 0);
	ops_clear(f);
	return SQLITE_OK;
}

static int f_size(sqlite3_file *file, sqlite3_int64 *size)
{
	struct ffile *f = (struct ffile *)file;
	if (dead)
		return SQLITE_IOERR_FSTAT;
	int rc = f->real->pMethods->xFileSize(f->real, size);
	if (rc == SQLITE_OK)
		*size = overlay_size(f, *size);
	return rc;
}

static int f_lock(sqlite3_file *file, int lock)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xLock(f->real, lock);
}

static int f_unlock(sqlite3_file *file, int lock)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xUnlock(f->real, lock);
}

static int f_check_lock(sqlite3_file *file, int *out)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int f_control(sqlite3_file *file, int op, void *arg)
{
	struct ffile *f = (struct ffile *)file;
	/* A size hint would grow the real file behind the overlay's back. */
	if (op == SQLITE_FCNTL_SIZE_HINT || op == SQLITE_FCNTL_MMAP_SIZE)
		return SQLITE_NOTFOUND;
	if (op == SQLITE_FCNTL_VFSNAME) {
		*(char **)arg = sqlite3_mprintf("faultvfs");
		return SQLITE_OK;
	}
	return f->real->pMethods->xFileControl(f->real, op, arg);
}

static int f_sector(sqlite3_file *file)
{
	(void)file;
	return SECTOR;
}

static int f_caps(sqlite3_file *file)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* The wal-index lives in shared memory, not on the disk: passed through. */
static int f_shm_map(sqlite3_file *file, int pg, int pgsz, int extend, void volatile **pp)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xShmMap(f->real, pg, pgsz, extend, pp);
}

static int f_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *file)
{
	struct ffile *f = (struct ffile *)file;
	f->real->pMethods->xShmBarrier(f->real);
}

static int f_shm_unmap(sqlite3_file *file, int del)
{
	struct ffile *f = (struct ffile *)file;
	return f->real->pMethods->xShmUnmap(f->real, del);
}

static const sqlite3_io_methods methods = {
	2, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check_lock,
	f_control, f_sector, f_caps, f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap, NULL, NULL,
};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
	(void)v;
	struct ffile *f = (struct ffile *)file;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)(f + 1);
	if (dead)
		return SQLITE_CANTOPEN;
	int rc = inner->xOpen(inner, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK) {
		if (f->real->pMethods)
			f->real->pMethods->xClose(f->real);
		f->real->pMethods = NULL;
		return rc;
	}
	f->base.pMethods = &methods;
	f->next = files;
	files = f;
	return SQLITE_OK;
}

static int v_delete(sqlite3_vfs *v, const char *name, int sync_dir)
{
	(void)v;
	if (dead)
		return SQLITE_IOERR_DELETE;
	return inner->xDelete(inner, name, sync_dir);
}

static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return inner->xAccess(inner, name, flags, out);
}

static int v_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return inner->xFullPathname(inner, name, n, out);
}

static void *v_dlopen(sqlite3_vfs *v, const char *p) { (void)v; return inner->xDlOpen(inner, p); }
static void v_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; inner->xDlError(inner, n, m); }
static void (*v_dlsym(sqlite3_vfs *v, void *h, const char *s))(void) { (void)v; return inner->xDlSym(inner, h, s); }
static void v_dlclose(sqlite3_vfs *v, void *h) { (void)v; inner->xDlClose(inner, h); }
static int v_random(sqlite3_vfs *v, int n, char *out) { (void)v; return inner->xRandomness(inner, n, out); }
static int v_sleep(sqlite3_vfs *v, int us) { (void)v; return inner->xSleep(inner, us); }
static int v_time(sqlite3_vfs *v, double *t) { (void)v; return inner->xCurrentTime(inner, t); }
static int v_lasterr(sqlite3_vfs *v, int n, char *m) { (void)v; return inner->xGetLastError(inner, n, m); }
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *t) { (void)v; return inner->xCurrentTimeInt64(inner, t); }

int faultvfs_install(void)
{
	if (inner)
		return 0;
	sqlite3_initialize();
	inner = sqlite3_vfs_find(NULL);
	if (!inner)
		return -1;
	vfs = (sqlite3_vfs){
		.iVersion = 2, .szOsFile = (int)sizeof(struct ffile) + inner->szOsFile, .mxPathname = inner->mxPathname,
		.zName = "faultvfs", .xOpen = v_open, .xDelete = v_delete, .xAccess = v_access,
		.xFullPathname = v_full, .xDlOpen = v_dlopen, .xDlError = v_dlerror, .xDlSym = v_dlsym,
		.xDlClose = v_dlclose, .xRandomness = v_random, .xSleep = v_sleep, .xCurrentTime = v_time,
		.xGetLastError = v_lasterr, .xCurrentTimeInt64 = v_time64,
	};
	if (sqlite3_vfs_register(&vfs, 1) != SQLITE_OK) {
		inner = NULL;
		return -1;
	}
	return 0;
}

void faultvfs_uninstall(void)
{
	if (!inner)
		return;
	sqlite3_vfs_unregister(&vfs);
	sqlite3_vfs_register(inner, 1);
	inner = NULL;
}

void faultvfs_arm(uint64_t n, uint32_t seed)
{
	arm_at = n ? st.ops + n : 0;
	rng = seed ? seed : 1;
}

int faultvfs_cut(void)
{
	return dead;
}

void faultvfs_power_on(void)
{
	dead = 0;
	arm_at = 0;
}

void faultvfs_get_stats(struct faultvfs_stats *out)
{
	*out = st;
}
