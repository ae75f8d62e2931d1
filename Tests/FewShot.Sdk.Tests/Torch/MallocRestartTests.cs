using FewShot.Sdk.Torch;

namespace FewShot.Sdk.Tests.Torch;

/// <summary>When a meta-training process restarts itself under the malloc tunables, and with what value.</summary>
public sealed class MallocRestartTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    public void A_process_without_malloc_tunables_restarts_with_them(string? optOut)
    {
        Assert.Equal(TorchSetup.MallocTunables, MallocRestart.TunablesToRestartWith(null, optOut));
        Assert.Equal(TorchSetup.MallocTunables, MallocRestart.TunablesToRestartWith(string.Empty, optOut));
    }

    [Fact]
    public void Other_tunables_are_kept_in_front()
    {
        Assert.Equal($"glibc.cpu.hwcaps=-AVX512F:{TorchSetup.MallocTunables}", MallocRestart.TunablesToRestartWith("glibc.cpu.hwcaps=-AVX512F", null));
    }

    [Theory]
    [InlineData("glibc.malloc.arena_max=2")]
    [InlineData("glibc.cpu.hwcaps=-AVX512F:glibc.malloc.mmap_threshold=4096")]
    [InlineData(TorchSetup.MallocTunables)]
    public void Malloc_settings_already_there_are_left_alone(string tunables)
    {
        // The user's own choice, or a restarted process's: a restart never loops.
        Assert.Null(MallocRestart.TunablesToRestartWith(tunables, null));
    }

    [Fact]
    public void The_arguments_go_back_byte_for_byte_an_empty_last_one_and_a_non_UTF8_one_included()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllBytes(file, [.. "fewshot\0a b\0"u8, 0xFF, 0xFE, 0, 0]);

            var arguments = MallocRestart.ReadArguments(file)!;

            Assert.Equal(4, arguments.Length);
            Assert.Equal("fewshot"u8.ToArray(), arguments[0]);
            Assert.Equal("a b"u8.ToArray(), arguments[1]);
            Assert.Equal(new byte[] { 0xFF, 0xFE }, arguments[2]);
            Assert.Empty(arguments[3]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Opting_out_leaves_the_process_as_it_is()
    {
        Assert.Null(MallocRestart.TunablesToRestartWith(null, "0"));
    }

    [Fact]
    public void Tcmalloc_is_preloaded_where_it_is_installed_and_nothing_else_is_preloaded()
    {
        const string Library = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4";
        Assert.Equal(Library, MallocRestart.PreloadToRestartWith(null, null, Library));
        Assert.Equal(Library, MallocRestart.PreloadToRestartWith(" ", "1", Library));
    }

    [Theory]
    [InlineData("/opt/my/libjemalloc.so.2", null, "/usr/lib/libtcmalloc_minimal.so.4")]
    [InlineData(null, "0", "/usr/lib/libtcmalloc_minimal.so.4")]
    [InlineData(null, null, null)]
    public void A_preload_of_the_users_an_opt_out_or_no_library_leaves_LD_PRELOAD_alone(string? current, string? optOut, string? library)
    {
        Assert.Null(MallocRestart.PreloadToRestartWith(current, optOut, library));
    }

    [Fact]
    public void The_library_is_looked_for_in_the_distributions_folders_in_order()
    {
        Assert.Equal("/usr/lib64/libtcmalloc_minimal.so.4", MallocRestart.FindTcmalloc(path => path.StartsWith("/usr/lib64/", StringComparison.Ordinal)));
        Assert.Equal("/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4", MallocRestart.FindTcmalloc(_ => true));
        Assert.Null(MallocRestart.FindTcmalloc(_ => false));
    }
}
