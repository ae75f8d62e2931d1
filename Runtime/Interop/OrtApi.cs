namespace FewShot.Runtime.Interop;

/// <summary>
/// The entries of ONNX Runtime's <c>OrtApi</c> function table that FewShot calls, read once by index.
/// </summary>
/// <remarks>
/// <para>
/// <c>OrtApi</c> (include/onnxruntime/core/session/onnxruntime_c_api.h) is a struct of function pointers that ORT only
/// ever appends to, so an entry's index never changes between releases. Each index below was counted from the header
/// and cross-checked against ORT's own C# binding and the <c>static_assert</c>s in onnxruntime_c_api.cc
/// (ReleaseCustomOpDomain = 101, ReleaseModelMetadata = 118, ReleaseAvailableProviders = 126, ...).
/// A wrong index or signature crashes the process, so every entry here is exercised by a test.
/// </para>
/// <para>
/// Types: <c>OrtStatus*</c> and other object pointers are <see langword="nint"/>, <c>const char*</c> is
/// <see langword="byte"/>* (UTF-8), <c>size_t</c> is <see langword="nuint"/>, C enums are <see langword="int"/>.
/// A returned <c>OrtStatus*</c> of zero means success; see <see cref="OrtNative.ThrowIfFailed"/>.
/// </para>
/// </remarks>
internal sealed unsafe class OrtApi
{
    /// <summary>
    /// The API version FewShot asks for: the newest entries it binds (the CUDA V2 provider options, 204–208) arrived in
    /// version 11 (ORT 1.11), so any ORT from 1.11 on serves this table. ORT 1.30's header declares
    /// <see cref="Ort130HeaderVersion"/>; GetApi hands out the same table for every version up to that.
    /// </summary>
    public const uint RequestedVersion = 11;

    /// <summary><c>ORT_API_VERSION</c> in the ONNX Runtime 1.30 header, the release FewShot is built and tested against.</summary>
    public const uint Ort130HeaderVersion = 30;

    public readonly delegate* unmanaged[Cdecl]<int, byte*, nint> CreateStatus;
    public readonly delegate* unmanaged[Cdecl]<nint, int> GetErrorCode;
    public readonly delegate* unmanaged[Cdecl]<nint, byte*> GetErrorMessage;
    public readonly delegate* unmanaged[Cdecl]<int, byte*, nint*, nint> CreateEnv;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, nint, nint*, nint> CreateSession;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint> CreateSessionFromArray;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint> Run;
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> CreateSessionOptions;
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionExecutionMode;
    public readonly delegate* unmanaged[Cdecl]<nint, byte*, nint> EnableProfiling;
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionLogSeverityLevel;
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetSessionGraphOptimizationLevel;
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetIntraOpNumThreads;
    public readonly delegate* unmanaged[Cdecl]<nint, int, nint> SetInterOpNumThreads;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetInputCount;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOutputCount;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> SessionGetOverridableInitializerCount;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetInputTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetOutputTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint> SessionGetOverridableInitializerTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetInputName;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetOutputName;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint> SessionGetOverridableInitializerName;
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> CreateRunOptions;
    public readonly delegate* unmanaged[Cdecl]<nint, nint> RunOptionsSetTerminate;
    public readonly delegate* unmanaged[Cdecl]<nint, long*, nuint, int, nint*, nint> CreateTensorAsOrtValue;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint> CreateTensorWithDataAsOrtValue;
    public readonly delegate* unmanaged[Cdecl]<nint, void**, nint> GetTensorMutableData;
    public readonly delegate* unmanaged[Cdecl]<nint, nint*, nint> CastTypeInfoToTensorInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, int*, nint> GetOnnxTypeFromTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, int*, nint> GetTensorElementType;
    public readonly delegate* unmanaged[Cdecl]<nint, nuint*, nint> GetDimensionsCount;
    public readonly delegate* unmanaged[Cdecl]<nint, long*, nuint, nint> GetDimensions;
    public readonly delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint> GetSymbolicDimensions;
    public readonly delegate* unmanaged[Cdecl]<nint, nint*, nint> GetTensorTypeAndShape;
    public readonly delegate* unmanaged[Cdecl]<int, int, nint*, nint> CreateCpuMemoryInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, void*, nint> AllocatorFree;
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> GetAllocatorWithDefaultOptions;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseEnv;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseStatus;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseMemoryInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseSession;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseValue;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseRunOptions;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseTypeInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseTensorTypeAndShapeInfo;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseSessionOptions;
    public readonly delegate* unmanaged[Cdecl]<byte***, int*, nint> GetAvailableProviders;
    public readonly delegate* unmanaged[Cdecl]<byte**, int, nint> ReleaseAvailableProviders;
    public readonly delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint> AddSessionConfigEntry;
    public readonly delegate* unmanaged[Cdecl]<nint, nint, nint> SessionOptionsAppendExecutionProvider_CUDA_V2;
    public readonly delegate* unmanaged[Cdecl]<nint*, nint> CreateCUDAProviderOptions;
    public readonly delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint> UpdateCUDAProviderOptions;
    public readonly delegate* unmanaged[Cdecl]<nint, void> ReleaseCUDAProviderOptions;

    /// <summary>Reads the entries from the table that <c>OrtApiBase::GetApi</c> returned.</summary>
    /// <param name="table">The <c>const OrtApi*</c>, viewed as an array of function pointers.</param>
    public OrtApi(nint* table)
    {
        // [0] OrtStatus* CreateStatus(OrtErrorCode code, const char* msg)
        CreateStatus = (delegate* unmanaged[Cdecl]<int, byte*, nint>)Entry(table, 0);
        // [1] OrtErrorCode GetErrorCode(const OrtStatus* status)
        GetErrorCode = (delegate* unmanaged[Cdecl]<nint, int>)Entry(table, 1);
        // [2] const char* GetErrorMessage(const OrtStatus* status)
        GetErrorMessage = (delegate* unmanaged[Cdecl]<nint, byte*>)Entry(table, 2);
        // [3] OrtStatus* CreateEnv(OrtLoggingLevel log_severity_level, const char* logid, OrtEnv** out)
        CreateEnv = (delegate* unmanaged[Cdecl]<int, byte*, nint*, nint>)Entry(table, 3);
        // [7] OrtStatus* CreateSession(const OrtEnv* env, const ORTCHAR_T* model_path, const OrtSessionOptions* options, OrtSession** out)
        CreateSession = (delegate* unmanaged[Cdecl]<nint, void*, nint, nint*, nint>)Entry(table, 7);
        // [8] OrtStatus* CreateSessionFromArray(const OrtEnv* env, const void* model_data, size_t model_data_length,
        //                                       const OrtSessionOptions* options, OrtSession** out)
        CreateSessionFromArray = (delegate* unmanaged[Cdecl]<nint, void*, nuint, nint, nint*, nint>)Entry(table, 8);
        // [9] OrtStatus* Run(OrtSession* session, const OrtRunOptions* run_options, const char* const* input_names,
        //                    const OrtValue* const* inputs, size_t input_len, const char* const* output_names,
        //                    size_t output_names_len, OrtValue** outputs)
        Run = (delegate* unmanaged[Cdecl]<nint, nint, byte**, nint*, nuint, byte**, nuint, nint*, nint>)Entry(table, 9);
        // [10] OrtStatus* CreateSessionOptions(OrtSessionOptions** options)
        CreateSessionOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)Entry(table, 10);
        // [13] OrtStatus* SetSessionExecutionMode(OrtSessionOptions* options, ExecutionMode execution_mode)
        SetSessionExecutionMode = (delegate* unmanaged[Cdecl]<nint, int, nint>)Entry(table, 13);
        // [14] OrtStatus* EnableProfiling(OrtSessionOptions* options, const ORTCHAR_T* profile_file_prefix)  (char on Linux)
        EnableProfiling = (delegate* unmanaged[Cdecl]<nint, byte*, nint>)Entry(table, 14);
        // [22] OrtStatus* SetSessionLogSeverityLevel(OrtSessionOptions* options, int session_log_severity_level)
        SetSessionLogSeverityLevel = (delegate* unmanaged[Cdecl]<nint, int, nint>)Entry(table, 22);
        // [23] OrtStatus* SetSessionGraphOptimizationLevel(OrtSessionOptions* options, GraphOptimizationLevel graph_optimization_level)
        SetSessionGraphOptimizationLevel = (delegate* unmanaged[Cdecl]<nint, int, nint>)Entry(table, 23);
        // [24] OrtStatus* SetIntraOpNumThreads(OrtSessionOptions* options, int intra_op_num_threads)
        SetIntraOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)Entry(table, 24);
        // [25] OrtStatus* SetInterOpNumThreads(OrtSessionOptions* options, int inter_op_num_threads)
        SetInterOpNumThreads = (delegate* unmanaged[Cdecl]<nint, int, nint>)Entry(table, 25);
        // [30] OrtStatus* SessionGetInputCount(const OrtSession* session, size_t* out)
        SessionGetInputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Entry(table, 30);
        // [31] OrtStatus* SessionGetOutputCount(const OrtSession* session, size_t* out)
        SessionGetOutputCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Entry(table, 31);
        // [32] OrtStatus* SessionGetOverridableInitializerCount(const OrtSession* session, size_t* out)
        //      (initializers that are also graph inputs: listed here, not among the inputs)
        SessionGetOverridableInitializerCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Entry(table, 32);
        // [33] OrtStatus* SessionGetInputTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)
        SessionGetInputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Entry(table, 33);
        // [34] OrtStatus* SessionGetOutputTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)
        SessionGetOutputTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Entry(table, 34);
        // [35] OrtStatus* SessionGetOverridableInitializerTypeInfo(const OrtSession* session, size_t index, OrtTypeInfo** type_info)
        SessionGetOverridableInitializerTypeInfo = (delegate* unmanaged[Cdecl]<nint, nuint, nint*, nint>)Entry(table, 35);
        // [36] OrtStatus* SessionGetInputName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)
        SessionGetInputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)Entry(table, 36);
        // [37] OrtStatus* SessionGetOutputName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)
        SessionGetOutputName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)Entry(table, 37);
        // [38] OrtStatus* SessionGetOverridableInitializerName(const OrtSession* session, size_t index, OrtAllocator* allocator, char** value)
        SessionGetOverridableInitializerName = (delegate* unmanaged[Cdecl]<nint, nuint, nint, byte**, nint>)Entry(table, 38);
        // [39] OrtStatus* CreateRunOptions(OrtRunOptions** out)
        CreateRunOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)Entry(table, 39);
        // [46] OrtStatus* RunOptionsSetTerminate(OrtRunOptions* options)
        RunOptionsSetTerminate = (delegate* unmanaged[Cdecl]<nint, nint>)Entry(table, 46);
        // [48] OrtStatus* CreateTensorAsOrtValue(OrtAllocator* allocator, const int64_t* shape, size_t shape_len,
        //                                        ONNXTensorElementDataType type, OrtValue** out)
        CreateTensorAsOrtValue = (delegate* unmanaged[Cdecl]<nint, long*, nuint, int, nint*, nint>)Entry(table, 48);
        // [49] OrtStatus* CreateTensorWithDataAsOrtValue(const OrtMemoryInfo* info, void* p_data, size_t p_data_len,
        //                                                const int64_t* shape, size_t shape_len, ONNXTensorElementDataType type, OrtValue** out)
        CreateTensorWithDataAsOrtValue = (delegate* unmanaged[Cdecl]<nint, void*, nuint, long*, nuint, int, nint*, nint>)Entry(table, 49);
        // [51] OrtStatus* GetTensorMutableData(OrtValue* value, void** out)
        GetTensorMutableData = (delegate* unmanaged[Cdecl]<nint, void**, nint>)Entry(table, 51);
        // [55] OrtStatus* CastTypeInfoToTensorInfo(const OrtTypeInfo* type_info, const OrtTensorTypeAndShapeInfo** out)  (out is borrowed)
        CastTypeInfoToTensorInfo = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)Entry(table, 55);
        // [56] OrtStatus* GetOnnxTypeFromTypeInfo(const OrtTypeInfo* type_info, enum ONNXType* out)
        GetOnnxTypeFromTypeInfo = (delegate* unmanaged[Cdecl]<nint, int*, nint>)Entry(table, 56);
        // [60] OrtStatus* GetTensorElementType(const OrtTensorTypeAndShapeInfo* info, enum ONNXTensorElementDataType* out)
        GetTensorElementType = (delegate* unmanaged[Cdecl]<nint, int*, nint>)Entry(table, 60);
        // [61] OrtStatus* GetDimensionsCount(const OrtTensorTypeAndShapeInfo* info, size_t* out)
        GetDimensionsCount = (delegate* unmanaged[Cdecl]<nint, nuint*, nint>)Entry(table, 61);
        // [62] OrtStatus* GetDimensions(const OrtTensorTypeAndShapeInfo* info, int64_t* dim_values, size_t dim_values_length)
        GetDimensions = (delegate* unmanaged[Cdecl]<nint, long*, nuint, nint>)Entry(table, 62);
        // [63] OrtStatus* GetSymbolicDimensions(const OrtTensorTypeAndShapeInfo* info, const char* dim_params[], size_t dim_params_length)
        GetSymbolicDimensions = (delegate* unmanaged[Cdecl]<nint, byte**, nuint, nint>)Entry(table, 63);
        // [65] OrtStatus* GetTensorTypeAndShape(const OrtValue* value, OrtTensorTypeAndShapeInfo** out)
        GetTensorTypeAndShape = (delegate* unmanaged[Cdecl]<nint, nint*, nint>)Entry(table, 65);
        // [69] OrtStatus* CreateCpuMemoryInfo(enum OrtAllocatorType type, enum OrtMemType mem_type, OrtMemoryInfo** out)
        CreateCpuMemoryInfo = (delegate* unmanaged[Cdecl]<int, int, nint*, nint>)Entry(table, 69);
        // [76] OrtStatus* AllocatorFree(OrtAllocator* ort_allocator, void* p)
        AllocatorFree = (delegate* unmanaged[Cdecl]<nint, void*, nint>)Entry(table, 76);
        // [78] OrtStatus* GetAllocatorWithDefaultOptions(OrtAllocator** out)  (out is owned by ORT, never freed)
        GetAllocatorWithDefaultOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)Entry(table, 78);
        // [92]..[100] void ReleaseX(OrtX* input)
        ReleaseEnv = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 92);
        ReleaseStatus = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 93);
        ReleaseMemoryInfo = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 94);
        ReleaseSession = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 95);
        ReleaseValue = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 96);
        ReleaseRunOptions = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 97);
        ReleaseTypeInfo = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 98);
        ReleaseTensorTypeAndShapeInfo = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 99);
        ReleaseSessionOptions = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 100);
        // [125] OrtStatus* GetAvailableProviders(char*** out_ptr, int* provider_length)
        GetAvailableProviders = (delegate* unmanaged[Cdecl]<byte***, int*, nint>)Entry(table, 125);
        // [126] OrtStatus* ReleaseAvailableProviders(char** ptr, int providers_length)
        ReleaseAvailableProviders = (delegate* unmanaged[Cdecl]<byte**, int, nint>)Entry(table, 126);
        // [130] OrtStatus* AddSessionConfigEntry(OrtSessionOptions* options, const char* config_key, const char* config_value)
        //       (after GetStringTensorElementLength, GetStringTensorElement, FillStringTensorElement)
        AddSessionConfigEntry = (delegate* unmanaged[Cdecl]<nint, byte*, byte*, nint>)Entry(table, 130);
        // [204] OrtStatus* SessionOptionsAppendExecutionProvider_CUDA_V2(OrtSessionOptions* options, const OrtCUDAProviderOptionsV2* cuda_options)
        SessionOptionsAppendExecutionProvider_CUDA_V2 = (delegate* unmanaged[Cdecl]<nint, nint, nint>)Entry(table, 204);
        // [205] OrtStatus* CreateCUDAProviderOptions(OrtCUDAProviderOptionsV2** out)
        CreateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<nint*, nint>)Entry(table, 205);
        // [206] OrtStatus* UpdateCUDAProviderOptions(OrtCUDAProviderOptionsV2* cuda_options, const char* const* provider_options_keys,
        //                                            const char* const* provider_options_values, size_t num_keys)
        UpdateCUDAProviderOptions = (delegate* unmanaged[Cdecl]<nint, byte**, byte**, nuint, nint>)Entry(table, 206);
        // [208] void ReleaseCUDAProviderOptions(OrtCUDAProviderOptionsV2* input)
        ReleaseCUDAProviderOptions = (delegate* unmanaged[Cdecl]<nint, void>)Entry(table, 208);
    }

    private static nint Entry(nint* table, int index)
    {
        // Every entry up to the requested version is filled in by ORT; a zero here means the table is not OrtApi.
        nint entry = table[index];
        return entry != 0
            ? entry
            : throw new InvalidOperationException($"ONNX Runtime's OrtApi table has no function at index {index}; the loaded library is not a compatible ONNX Runtime.");
    }
}
