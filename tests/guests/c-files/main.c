/* A guest that reads a read-only tree preopened at /data: lists it (through libc and through raw
 * fd_readdir with a small buffer, resuming at each cookie), reads, seeks, stats, reads a link;
 * then tries to write and to escape, and prints what each attempt got. Each line is
 * `what: result`, so that a test can compare the whole output. The tree it expects is made by
 * tests/tests/files.rs. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wasi/api.h>

static const char *errno_name(int e) {
    switch (e) {
    case 0: return "ok";
    case __WASI_ERRNO_ACCES: return "EACCES";
    case __WASI_ERRNO_BADF: return "EBADF";
    case __WASI_ERRNO_EXIST: return "EEXIST";
    case __WASI_ERRNO_INVAL: return "EINVAL";
    case __WASI_ERRNO_ISDIR: return "EISDIR";
    case __WASI_ERRNO_LOOP: return "ELOOP";
    case __WASI_ERRNO_MFILE: return "EMFILE";
    case __WASI_ERRNO_NAMETOOLONG: return "ENAMETOOLONG";
    case __WASI_ERRNO_NOENT: return "ENOENT";
    case __WASI_ERRNO_NOSYS: return "ENOSYS";
    case __WASI_ERRNO_NOTDIR: return "ENOTDIR";
    case __WASI_ERRNO_NOTSUP: return "ENOTSUP";
    case __WASI_ERRNO_NOTCAPABLE: return "ENOTCAPABLE";
    case __WASI_ERRNO_PERM: return "EPERM";
    case __WASI_ERRNO_ROFS: return "EROFS";
    case __WASI_ERRNO_SPIPE: return "ESPIPE";
    default: return "other";
    }
}

/* libc calls return -1 and set errno (wasi-libc's errno values are the WASI ones). */
static void libc_result(const char *what, int r) {
    printf("%s: %s\n", what, r < 0 ? errno_name(errno) : "ok");
}

static void raw_open(const char *what, const char *path, __wasi_lookupflags_t dirflags,
                     __wasi_oflags_t oflags, __wasi_rights_t rights) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(3, dirflags, path, oflags, rights, 0, 0, &fd);
    printf("%s: %s\n", what, errno_name(e));
    if (e == 0) {
        (void)__wasi_fd_close(fd);
    }
}

static int compare(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void) {
    /* The preopen. */
    __wasi_prestat_t prestat;
    char name[64] = {0};
    __wasi_errno_t e = __wasi_fd_prestat_get(3, &prestat);
    if (e == 0 && prestat.u.dir.pr_name_len < sizeof name) {
        e = __wasi_fd_prestat_dir_name(3, (uint8_t *)name, prestat.u.dir.pr_name_len);
    }
    printf("preopen 3: %s %s\n", errno_name(e), name);
    printf("preopen 4: %s\n", errno_name(__wasi_fd_prestat_get(4, &prestat)));

    /* A listing through libc, sorted here (the host's order is its own business). */
    DIR *dir = opendir("/data");
    char *names[64];
    int count = 0;
    if (dir != NULL) {
        struct dirent *ent;
        while ((ent = readdir(dir)) != NULL && count < 64) {
            char line[300];
            snprintf(line, sizeof line, "%s(%d)", ent->d_name, ent->d_type);
            names[count++] = strdup(line);
        }
        closedir(dir);
    }
    qsort(names, count, sizeof names[0], compare);
    printf("readdir:");
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");

    /* The same listing through fd_readdir with a buffer that holds about one entry: every
     * entry must come exactly once, however the cookies cut the listing. */
    {
        __wasi_fd_t d;
        e = __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READDIR, 0, 0,
                             &d);
        uint8_t buf[40];
        __wasi_dircookie_t cookie = 0;
        int entries = 0, calls = 0;
        printf("fd_readdir by cookie:");
        while (e == 0 && calls < 1000) {
            __wasi_size_t used;
            e = __wasi_fd_readdir(d, buf, sizeof buf, cookie, &used);
            calls++;
            if (e != 0 || used < sizeof(__wasi_dirent_t)) {
                break;
            }
            __wasi_dirent_t ent;
            memcpy(&ent, buf, sizeof ent);
            size_t shown = used - sizeof ent < ent.d_namlen ? used - sizeof ent : ent.d_namlen;
            if (shown < ent.d_namlen) {
                /* cut short: the name does not fit after the dirent; skip it by its cookie */
                printf(" [%u-byte name]", ent.d_namlen);
            } else {
                printf(" %.*s", (int)ent.d_namlen, (const char *)buf + sizeof ent);
            }
            entries++;
            cookie = ent.d_next;
        }
        printf(" (%d entries, %s)\n", entries, errno_name(e));
        (void)__wasi_fd_close(d);
    }

    /* Reading and seeking. */
    FILE *f = fopen("/data/hello.txt", "r");
    char text[64] = {0};
    if (f != NULL) {
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
    }
    printf("fopen+fread: %s", f ? text : "failed\n");

    int fd = open("/data/hello.txt", O_RDONLY);
    libc_result("open O_RDONLY", fd);
    if (fd >= 0) {
        char part[16] = {0};
        off_t at = lseek(fd, 7, SEEK_SET);
        ssize_t n = read(fd, part, 5);
        printf("lseek 7 + read 5: %lld %.*s\n", (long long)at, (int)n, part);
        at = lseek(fd, -6, SEEK_END);
        n = read(fd, part, 16);
        printf("lseek -6 from end + read: %lld %.*s", (long long)at, (int)n, part);
        printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
        n = pread(fd, part, 5, 0);
        printf("pread 5 at 0: %.*s, offset still %lld\n", (int)n, part,
               (long long)lseek(fd, 0, SEEK_CUR));
        libc_result("lseek before the start", (int)lseek(fd, -100, SEEK_SET));
        libc_result("write to a read-only fd", (int)write(fd, "x", 1));
        struct stat st;
        libc_result("fstat", fstat(fd, &st));
        printf("fstat size: %lld regular: %d\n", (long long)st.st_size, S_ISREG(st.st_mode));
        close(fd);
        libc_result("read after close", (int)read(fd, part, 1));
    }

    /* Stats and links. */
    struct stat st;
    libc_result("stat sub", stat("/data/sub", &st));
    printf("sub is a directory: %d\n", S_ISDIR(st.st_mode));
    libc_result("stat link", stat("/data/link", &st));
    printf("link followed size: %lld\n", (long long)st.st_size);
    libc_result("lstat link", lstat("/data/link", &st));
    printf("link is a link: %d\n", S_ISLNK(st.st_mode));
    char target[64] = {0};
    ssize_t len = readlink("/data/link", target, sizeof target - 1);
    printf("readlink: %.*s\n", (int)(len < 0 ? 0 : len), target);
    libc_result("readlink of a file", (int)readlink("/data/hello.txt", target, sizeof target));
    f = fopen("/data/dir-link/nested.txt", "r");
    if (f != NULL) {
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
    }
    printf("through a link to a directory: %s", f ? text : "failed\n");
    libc_result("stat missing", stat("/data/missing", &st));
    libc_result("stat hello.txt/", stat("/data/hello.txt/", &st));
    libc_result("open a FIFO", open("/data/pipe", O_RDONLY));

    /* Writes. */
    libc_result("open O_WRONLY", open("/data/hello.txt", O_WRONLY));
    libc_result("open O_RDWR", open("/data/hello.txt", O_RDWR));
    libc_result("open O_CREAT new", open("/data/new.txt", O_RDONLY | O_CREAT, 0644));
    libc_result("open O_CREAT|O_EXCL existing",
                open("/data/hello.txt", O_RDONLY | O_CREAT | O_EXCL, 0644));
    libc_result("open O_TRUNC", open("/data/hello.txt", O_RDONLY | O_TRUNC));
    libc_result("open a directory for writing", open("/data/sub", O_WRONLY));
    libc_result("mkdir", mkdir("/data/newdir", 0755));
    libc_result("unlink", unlink("/data/hello.txt"));

    /* Escapes, as raw calls on the preopen (libc would resolve some of them itself). */
    raw_open("../sentinel", "../sentinel", 0, 0, __WASI_RIGHTS_FD_READ);
    raw_open("sub/../../sentinel", "sub/../../sentinel", 0, 0, __WASI_RIGHTS_FD_READ);
    raw_open("/etc/passwd", "/etc/passwd", 0, 0, __WASI_RIGHTS_FD_READ);
    raw_open("etc-link/passwd (link to /etc)", "etc-link/passwd",
             __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, __WASI_RIGHTS_FD_READ);
    raw_open("escape-link (link to ../sentinel)", "escape-link",
             __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, __WASI_RIGHTS_FD_READ);
    raw_open("outside-link (absolute link out)", "outside-link/secret",
             __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0, __WASI_RIGHTS_FD_READ);
    raw_open("loop-a (a link loop)", "loop-a", __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, 0,
             __WASI_RIGHTS_FD_READ);
    raw_open("link without follow", "link", 0, 0, __WASI_RIGHTS_FD_READ);
    raw_open("hello.txt as a directory", "hello.txt", 0, __WASI_OFLAGS_DIRECTORY,
             __WASI_RIGHTS_FD_READ);
    {
        size_t n = 64 * 1024;
        char *path = malloc(n + 1);
        for (size_t i = 0; i < n; i += 2) {
            path[i] = 'a';
            path[i + 1] = '/';
        }
        path[n] = 0;
        raw_open("a 64 KiB path", path, 0, 0, __WASI_RIGHTS_FD_READ);
        memset(path, 'b', n);
        raw_open("a 64 KiB name", path, 0, 0, __WASI_RIGHTS_FD_READ);
        memset(path, 0, n);
        memset(path, 'c', 300);
        raw_open("a 300-byte name", path, 0, 0, __WASI_RIGHTS_FD_READ);
        free(path);
    }

    /* 10,000 descriptors. */
    {
        static __wasi_fd_t fds[10000];
        int opened = 0, refused = 0;
        __wasi_errno_t last = 0;
        for (int i = 0; i < 10000; i++) {
            e = __wasi_path_open(3, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &fds[opened]);
            if (e == 0) {
                opened++;
            } else {
                refused++;
                last = e;
            }
        }
        printf("10000 opens: %d opened, %d refused with %s\n", opened, refused, errno_name(last));
        for (int i = 0; i < opened; i++) {
            (void)__wasi_fd_close(fds[i]);
        }
        __wasi_fd_t again;
        e = __wasi_path_open(3, 0, "hello.txt", 0, __WASI_RIGHTS_FD_READ, 0, 0, &again);
        printf("open after closing them: %s fd %u\n", errno_name(e), e == 0 ? again : 0);
    }
    return 0;
}
